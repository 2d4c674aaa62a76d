"""The read-only HTML view of coded transcripts: one self-contained, printable file.

Codes are coloured highlights in the text and bars in the margin of each turn, with
a legend per transcript; each turn shows its speaker, role and time. A small inline
script (allowed by a hash in the page's Content-Security-Policy, which also forbids
every external asset) lets a reader hide or show coders. Every piece of transcript
text, label and memo is HTML-escaped; colours are used only after validation.

A transcript with a recording (its ``media`` attribute, :mod:`qualcode.media`)
gets one player per transcript, kept in view while reading, and a play link on
each timed turn: ``INT08.opus#t=83.5`` (a media fragment, so even without script
the link opens the recording at that time); the script makes it seek the shared
player instead and highlights the turn being played. :func:`export_html` copies
the recording beside the HTML file and links it by name, so the page works offline
as long as the two files stay together; the page's policy allows media from its
own folder only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from qualcode._files import atomic_path
from qualcode._validation import invalid
from qualcode._version import __version__
from qualcode.errors import Errors, ExportError, InvalidInputError
from qualcode.media import (
    MediaLink,
    format_seconds,
    fragment,
    link_media,
    player_html,
)
from qualcode.model import Transcript, format_timestamp
from qualcode.widget._common import UNKNOWN_COLOR, code_colors

_MAX_BARS = 4  # underline layers drawn per text segment
# players load the recording copied beside the page (a relative URL: the page's own
# origin over http, its folder for a file:// page); nothing from elsewhere
_MEDIA_SRC = "media-src 'self'; "

_CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d1d9e0;--paper:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;background:var(--soft);color:var(--ink);
 font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
header.qc-doc{background:var(--paper);border:1px solid var(--line);border-radius:8px;
 padding:16px 20px;margin-bottom:20px}
header.qc-doc h1{margin:0 0 4px;font-size:1.4em}
.qc-meta{color:var(--muted);font-size:.9em;margin:0}
.qc-filter{margin-top:10px;font-size:.9em}
.qc-filter label{margin-right:14px;cursor:pointer}
.qc-toc{margin:8px 0 0;padding-left:18px;font-size:.9em}
section.qc-transcript{background:var(--paper);border:1px solid var(--line);
 border-radius:8px;padding:16px 20px;margin-bottom:24px}
section.qc-transcript h2{margin:0 0 6px;font-size:1.2em}
.qc-attrs{display:flex;flex-wrap:wrap;gap:4px 14px;margin:0 0 10px;font-size:.85em;
 color:var(--muted)}
.qc-attrs span b{color:var(--ink);font-weight:600}
.qc-legend{display:flex;flex-wrap:wrap;gap:6px 12px;margin:0 0 14px;padding:8px 10px;
 background:var(--soft);border-radius:6px;font-size:.85em}
.qc-legend .qc-key{display:inline-flex;align-items:center;gap:5px}
.qc-sw{display:inline-block;width:12px;height:12px;border-radius:3px;
 border:1px solid rgba(0,0,0,.2)}
ol.qc-turns{list-style:none;margin:0;padding:0}
li.qc-turn{display:grid;grid-template-columns:130px minmax(0,1fr) 250px;gap:12px;
 padding:8px 0;border-top:1px solid #eef1f4;break-inside:avoid}
li.qc-turn.role-interviewer .qc-text{color:var(--muted)}
.qc-who{font-size:.85em;line-height:1.3}
.qc-speaker{font-weight:600;display:block;overflow-wrap:anywhere}
.qc-role{display:inline-block;margin-top:2px;padding:0 6px;border-radius:9px;
 background:#eef1f4;color:var(--muted);font-size:.85em}
.role-participant .qc-role{background:#e6f0fb;color:#0b4f8a}
.qc-time{display:block;color:var(--muted);font-variant-numeric:tabular-nums;
 font-size:.85em}
.qc-text{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.qc-seg.qc-on{border-radius:2px;padding-bottom:1px}
.qc-margin{display:flex;flex-direction:column;gap:4px;font-size:.8em}
.qc-bar{border-left:4px solid var(--c);background:var(--soft);padding:2px 6px;
 border-radius:0 4px 4px 0;line-height:1.3}
.qc-bar b{font-weight:600}
.qc-bar .qc-by{color:var(--muted)}
.qc-bar .qc-memo{display:block;color:var(--ink);font-style:italic}
.qc-bar[hidden]{display:none}
.qc-player-bar{position:sticky;top:0;z-index:2;display:flex;align-items:center;
 gap:10px;margin:0 0 10px;padding:6px 8px;background:var(--soft);border-radius:6px}
.qc-player-bar audio{flex:1 1 auto;height:34px}
.qc-player-bar video{max-height:200px;max-width:100%;background:#000}
.qc-player-bar .qc-media-name{color:var(--muted);font-size:.85em}
a.qc-play{display:inline-block;margin-top:3px;padding:0 7px;
 border:1px solid var(--line);border-radius:9px;font-size:.8em;text-decoration:none;
 color:#0b4f8a;background:var(--paper)}
a.qc-play:hover{border-color:#0b4f8a}
li.qc-turn.qc-turn-playing{background:#edf7ee;box-shadow:inset 3px 0 0 #2e7d32}
footer{color:var(--muted);font-size:.8em;text-align:center;margin:8px 0 24px}
@media (max-width:800px){li.qc-turn{grid-template-columns:1fr}}
@media print{
 body{background:#fff;font-size:11pt}
 main{max-width:none;padding:0}
 .qc-filter,.qc-toc,.qc-player-bar,a.qc-play{display:none}
 header.qc-doc,section.qc-transcript{border:none;padding:0}
 section.qc-transcript{break-before:page}
 section.qc-transcript:first-of-type{break-before:auto}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

# Recomputes highlight styles when a coder is hidden or shown. Reads only numbers
# and validated colours from the JSON block; never touches transcript text.
_SCRIPT = """
(function(){
var data=JSON.parse(document.getElementById('qc-data').textContent);
var shown={};data.coders.forEach(function(_,i){shown[i]=true;});
function rgba(h,a){var n=parseInt(h.slice(1),16);
 return 'rgba('+(n>>16&255)+','+(n>>8&255)+','+(n&255)+','+a+')';}
function restyle(){
 document.querySelectorAll('.qc-seg[data-k]').forEach(function(el){
  var cols=[];el.getAttribute('data-k').split(' ').forEach(function(k){
   var c=data.codings[+k];if(c&&shown[c[0]]&&cols.indexOf(c[1])<0)cols.push(c[1]);});
  if(!cols.length){el.style.background='';el.style.boxShadow='';el.classList.remove('qc-on');return;}
  el.classList.add('qc-on');el.style.background=rgba(cols[0],0.22);
  el.style.boxShadow=cols.slice(0,MAX_BARS).map(function(c,i){
   return 'inset 0 -'+(2*(i+1))+'px 0 '+c;}).join(',');});
 document.querySelectorAll('.qc-bar[data-coder]').forEach(function(el){
  el.hidden=!shown[+el.getAttribute('data-coder')];});
}
document.querySelectorAll('.qc-filter input[data-coder]').forEach(function(box){
 box.addEventListener('change',function(){shown[+box.getAttribute('data-coder')]=box.checked;restyle();});});
document.querySelectorAll('section.qc-transcript').forEach(function(sec){
 var m=sec.querySelector('.qc-media');if(!m)return;
 var turns=[].slice.call(sec.querySelectorAll('li.qc-turn[data-t]'));var cur=null;
 function mark(){var t=m.currentTime,hit=null;
  turns.forEach(function(li){var a=+li.getAttribute('data-t'),
   e=li.getAttribute('data-end');if(t>=a&&(e===null||t<+e))hit=li;});
  if(hit===cur)return;if(cur)cur.classList.remove('qc-turn-playing');cur=hit;
  if(!hit)return;
  hit.classList.add('qc-turn-playing');if(m.paused)return;
  var r=hit.getBoundingClientRect();
  if(r.top<80||r.bottom>window.innerHeight)hit.scrollIntoView({behavior:'smooth',block:'center'});}
 ['timeupdate','seeked','play'].forEach(function(n){m.addEventListener(n,mark);});
 sec.querySelectorAll('a.qc-play').forEach(function(a){
  a.addEventListener('click',function(ev){ev.preventDefault();
   var go=function(){m.currentTime=+a.getAttribute('data-t');var p=m.play();
    if(p&&p.catch)p.catch(function(){});};
   if(m.readyState>=1)go();
   else{m.addEventListener('loadedmetadata',go,{once:true});m.load();}});});
});
})();
""".replace("MAX_BARS", str(_MAX_BARS))


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _rgba(color: str, alpha: float) -> str:
    n = int(color[1:], 16)
    return f"rgba({n >> 16 & 255},{n >> 8 & 255},{n & 255},{alpha})"


def _segment_style(colors: Sequence[str]) -> str:
    if not colors:
        return ""
    shadows = ",".join(
        f"inset 0 -{2 * (i + 1)}px 0 {c}" for i, c in enumerate(colors[:_MAX_BARS])
    )
    return f"background:{_rgba(colors[0], 0.22)};box-shadow:{shadows}"


def _check_coders(project: Any, coders: Any, caller: str) -> list[str] | None:
    if coders is None:
        return None
    names = [coders] if isinstance(coders, str) else list(coders)
    known = list(project.coders)
    for name in names:
        if name not in known:
            raise InvalidInputError(
                Errors.QC927.format(
                    caller=caller,
                    param="coders",
                    got=name,
                    path=getattr(project, "path", "?"),
                    known=known,
                )
            )
    return names


def _render_transcript(
    t: Transcript,
    codings: Any,
    coders: list[str],
    labels: dict[str, str],
    colors: dict[str, str],
    registry: list[list[Any]],
    media: MediaLink | None = None,
) -> str:
    """One ``<section>``; adds ``[coder index, colour]`` per coding to ``registry``."""
    rows: list[dict[str, Any]] = []
    for r in codings[["start", "end", "code", "coder", "memo", "coding_id"]].itertuples(
        index=False
    ):
        if str(r.coder) not in coders:
            continue
        k = len(registry)
        color = colors.get(str(r.code), UNKNOWN_COLOR)
        registry.append([coders.index(str(r.coder)), color])
        rows.append(
            {
                "k": k,
                "start": int(r.start),
                "end": int(r.end),
                "code": str(r.code),
                "coder": str(r.coder),
                "memo": r.memo if isinstance(r.memo, str) else None,
                "color": color,
                "id": int(r.coding_id),
            }
        )
    out = [f'<section class="qc-transcript" id="{_esc("t-" + t.id)}">']
    out.append(f"<h2>{_esc(t.id)}</h2>")
    attrs = [  # the recording's path is the player's business (and may be local)
        (k, v)
        for k, v in t.attributes.items()
        if v is not None and v == v and v != "" and k != "media"
    ]
    if attrs:
        out.append(
            '<div class="qc-attrs">'
            + "".join(f"<span>{_esc(k)}: <b>{_esc(v)}</b></span>" for k, v in attrs)
            + "</div>"
        )
    # legend: codes used here, with counts
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["code"]] = counts.get(r["code"], 0) + 1
    if counts:
        order = [c for c in labels if c in counts] + sorted(
            c for c in counts if c not in labels
        )
        out.append(
            '<div class="qc-legend" aria-label="Legend">'
            + "".join(
                f'<span class="qc-key"><span class="qc-sw" style="background:'
                f'{colors.get(c, UNKNOWN_COLOR)}"></span>{_esc(labels.get(c, c))}'
                f" ({counts[c]})</span>"
                for c in order
            )
            + "</div>"
        )
    else:
        out.append('<div class="qc-legend">No codings by the selected coders.</div>')
    if media is not None:
        name = unquote(media.src)
        out.append(
            '<div class="qc-player-bar">'
            + player_html(
                media.kind,
                media.src,
                cls="qc-media",
                preload="metadata",
                label=f"Recording of {t.id}",
            )
            + f'<span class="qc-media-name">{_esc(name)}</span></div>'
        )
    out.append('<ol class="qc-turns">')
    listed: set[int] = set()
    for turn in t.turns:
        inside = [r for r in rows if r["start"] < turn.end and r["end"] > turn.start]
        cuts = {turn.start, turn.end}
        for r in inside:
            cuts.add(max(r["start"], turn.start))
            cuts.add(min(r["end"], turn.end))
        cuts_sorted = sorted(cuts)
        segs = []
        for a, b in zip(cuts_sorted, cuts_sorted[1:], strict=False):
            if a >= b:
                continue
            cover = [r for r in inside if r["start"] <= a and r["end"] >= b]
            text = _esc(t.text[a:b])
            if not cover:
                segs.append(f'<span class="qc-seg" data-s="{a}">{text}</span>')
                continue
            cols: list[str] = []
            for r in cover:
                if r["color"] not in cols:
                    cols.append(r["color"])
            ks = " ".join(str(r["k"]) for r in cover)
            segs.append(
                f'<span class="qc-seg qc-on" data-s="{a}" data-k="{ks}" '
                f'style="{_segment_style(cols)}">{text}</span>'
            )
        bars = []
        for r in inside:
            if r["k"] in listed:
                continue  # listed once, in the first turn it touches
            listed.add(r["k"])
            memo = (
                f'<span class="qc-memo">{_esc(r["memo"])}</span>' if r["memo"] else ""
            )
            bars.append(
                f'<div class="qc-bar" data-coder="{coders.index(r["coder"])}" '
                f'style="--c:{r["color"]}"><b>{_esc(labels.get(r["code"], r["code"]))}'
                f'</b> <span class="qc-by">· {_esc(r["coder"])}</span>{memo}</div>'
            )
        role = turn.role or "unknown"
        anchor = _esc(f"t-{t.id}-{turn.index}")
        time = (
            f'<span class="qc-time">{format_timestamp(turn.time_start)}</span>'
            if turn.time_start is not None
            else ""
        )
        play, timing = _play_link(media, turn.index, turn.time_start)
        out.append(
            f'<li class="qc-turn role-{_esc(role)}" id="{anchor}"{timing}>'
            f'<div class="qc-who"><span class="qc-speaker">{_esc(turn.speaker or "—")}'
            f'</span><span class="qc-role">{_esc(role)}</span>{time}{play}</div>'
            f'<p class="qc-text" data-start="{turn.start}">{"".join(segs)}</p>'
            f'<div class="qc-margin">{"".join(bars)}</div></li>'
        )
    out.append("</ol></section>")
    return "\n".join(out)


def _write(page: str, path: Path) -> None:
    """Write the page (to the temporary file of :func:`atomic_path`)."""
    path.write_text(page, encoding="utf-8")


def _play_link(
    media: MediaLink | None, index: int, time_start: float | None
) -> tuple[str, str]:
    """A turn's play link and its ``data-t``/``data-end`` attributes (or ``""``)."""
    if media is None or time_start is None:
        return "", ""
    start, end = media.times[index]
    if start is None:
        return "", ""
    href = fragment(media.src, start)
    t0 = format_seconds(start)
    timing = f' data-t="{t0}"'
    if end is not None:
        timing += f' data-end="{format_seconds(end)}"'
    label = f"Play turn {index} from {format_timestamp(start)}"
    link = (
        f'<a class="qc-play" href="{_esc(href)}" data-t="{t0}" '
        f'title="{_esc(label)}" aria-label="{_esc(label)}">▶ play</a>'
    )
    return link, timing


def _document(
    project: Any,
    transcript_ids: Sequence[str],
    *,
    coders: Any,
    codebook: Any,
    caller: str,
    media: Mapping[str, MediaLink] | None = None,
) -> str:
    names = _check_coders(project, coders, caller)
    cb = project.codebook if codebook is None else codebook
    colors = code_colors(cb)
    labels = {c.id: c.label for c in cb} if cb is not None else {}
    transcripts = [project.transcript(tid) for tid in transcript_ids]  # QC402 early
    codings = project.codings(transcript_id=list(transcript_ids))
    if names is None:
        names = sorted({str(c) for c in codings["coder"].tolist()})
    registry: list[list[Any]] = []
    sections = [
        _render_transcript(
            t,
            codings[codings["transcript_id"] == t.id],
            names,
            labels,
            colors,
            registry,
            (media or {}).get(t.id),
        )
        for t in transcripts
    ]
    data = json.dumps({"coders": list(range(len(names))), "codings": registry})
    data = data.replace("<", "\\u003c")  # nothing can close the script element
    script_hash = base64.b64encode(
        hashlib.sha256(_SCRIPT.encode("utf-8")).digest()
    ).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"{_MEDIA_SRC if media else ''}script-src 'sha256-{script_hash}'"
    )
    title = (
        transcript_ids[0]
        if len(transcript_ids) == 1
        else f"{len(transcript_ids)} transcripts"
    )
    filters = "".join(
        f'<label><input type="checkbox" data-coder="{i}" checked> {_esc(n)}</label>'
        for i, n in enumerate(names)
    )
    toc = ""
    if len(transcripts) > 1:
        toc = (
            '<ol class="qc-toc">'
            + "".join(
                f'<li><a href="#{_esc("t-" + t.id)}">{_esc(t.id)}</a></li>'
                for t in transcripts
            )
            + "</ol>"
        )

    project_name = Path(str(getattr(project, "path", ""))).name
    cb_text = _codebook_text(cb)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="qualcode {_esc(__version__)}">'
        f"<title>{_esc('Coded: ' + title)}</title><style>{_CSS}</style></head>"
        "<body><main>"
        '<header class="qc-doc"><h1>Coded transcripts</h1>'
        f'<p class="qc-meta">Project {_esc(project_name)}'
        f" · codebook {_esc(cb_text)} · coders {_esc(', '.join(names) or 'none')}"
        f" · exported {now} by qualcode. Read-only view.</p>"
        f'<div class="qc-filter">Show coders: {filters or "none"}</div>{toc}</header>'
        + "\n".join(sections)
        + "<footer>Highlights: one tint per passage, one underline per code. "
        "Bars in the margin list each coding where it starts.</footer>"
        f'</main><script type="application/json" id="qc-data">{data}</script>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def _codebook_text(cb: Any) -> str:
    """``name version``; a combined codebook as its parts' names and versions."""
    if cb is None or not cb.name:
        return "none"
    parts = (cb.meta or {}).get("combined_from") if isinstance(cb.meta, dict) else None
    if parts:
        return ", ".join(f"{p['name']} {p['version']}" for p in parts)
    return f"{cb.name} {cb.version}"


def render_html(
    project: Any,
    transcript_id: str,
    *,
    coders: str | Iterable[str] | None = None,
    codebook: Any = None,
) -> str:
    """A coded transcript as one self-contained, read-only HTML page.

    Codes appear as coloured highlights (a tint per passage and one underline per
    code) and as bars in each turn's margin with the code's label, the coder and
    the memo; a legend lists the codes used with their counts. Each turn shows its
    speaker, role and time. Readers can hide coders with checkboxes; the page has
    no external assets (a Content-Security-Policy forbids them) and prints cleanly.
    Recordings are not linked here (a string has no folder to find them from):
    :func:`export_html` copies them beside the file and adds players.

    Parameters
    ----------
    project : Project
    transcript_id : str
    coders : str or list of str, optional
        Coders to show (default: every coder with codings on the transcript).
    codebook : Codebook, optional
        For labels and colours (default: the project's codebook).

    Returns
    -------
    str
        The HTML document. Every text from the transcript, codebook and memos is
        escaped.

    Raises
    ------
    StoreError
        Unknown transcript (QC402).
    InvalidInputError
        A coder in ``coders`` has no codings in the project (QC927).

    See Also
    --------
    export_html : several transcripts in one file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode import Project
    >>> from qualcode.model import Transcript, TurnDraft
    >>> p = Project(pathlib.Path(tempfile.mkdtemp()) / "h.qcproj")
    >>> _ = p.add_transcripts(
    ...     [
    ...         Transcript.build(
    ...             "t1", [TurnDraft("We arrest <dealers>.", "P1", "participant")]
    ...         )
    ...     ]
    ... )
    >>> _ = p.add_coding("t1", 7, 13, "pursue", "AB")
    >>> page = render_html(p, "t1")
    >>> "&lt;dealers&gt;" in page and "<dealers>" not in page
    True
    >>> p.close()
    """
    return _document(
        project, [transcript_id], coders=coders, codebook=codebook, caller="render_html"
    )


def export_html(
    project: Any,
    path: str | Path,
    *,
    transcript_ids: str | Iterable[str] | None = None,
    coders: str | Iterable[str] | None = None,
    media: bool = True,
) -> Path:
    """Write coded transcripts to one self-contained HTML file to share.

    The file opens in any browser without Python or network access (see
    :func:`render_html` for what it shows). Transcript text is included as stored:
    pseudonymise the project first (:func:`qualcode.pseudonymise`) before sharing
    outside the team. A recording is never pseudonymised: export with
    ``media=False`` when voices or names in it must not leave the team.

    Transcripts with a recording (the ``media`` attribute, :mod:`qualcode.media`)
    get a player that stays in view and a play link on each timed turn, which
    seeks the player to the turn's time (``INT08.opus#t=83.5``) and highlights the
    turn being played. The recording is copied into the HTML file's folder (an
    identical file already there is kept; a different one is never overwritten)
    and linked by name, so the page plays offline while the files stay together.

    Parameters
    ----------
    project : Project
    path : str or Path
        Output file ending in ``.html`` or ``.htm``.
    transcript_ids : str or list of str, optional
        Default: every transcript of the project, in project order.
    coders : str or list of str, optional
        Coders to show (default: every coder with codings on these transcripts).
    media : bool, default True
        Copy each transcript's recording beside the file and add players; False
        leaves recordings out.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ExportError
        Wrong suffix or the file cannot be written (QC929); a recording cannot be
        copied (QC935).
    StoreError
        Unknown transcript (QC402).

    Warns
    -----
    MediaWarning
        A transcript's recording is missing or not playable (it gets no player).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from qualcode import Project
    >>> from qualcode.model import Transcript, TurnDraft
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> p = Project(folder / "e.qcproj")
    >>> _ = p.add_transcripts([Transcript.build("t1", [TurnDraft("Yes.", "P1")])])
    >>> export_html(p, folder / "coded.html").name
    'coded.html'
    >>> p.close()
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ExportError(
            Errors.QC929.format(path=path, detail=f"the suffix is {path.suffix!r}")
        )
    if transcript_ids is None:
        ids = list(project.transcript_ids())
    elif isinstance(transcript_ids, str):
        ids = [transcript_ids]
    else:
        ids = list(transcript_ids)
    if not isinstance(media, bool):
        raise invalid("media", "export_html", "True or False", media)
    if not path.parent.is_dir():
        raise ExportError(
            Errors.QC929.format(path=path, detail="its folder does not exist")
        )
    known = set(project.transcript_ids())
    for tid in ids:
        if tid not in known:
            project.transcript(tid)  # StoreError QC402, before anything is written
    links = link_media(project, path, ids=ids, caller="export_html") if media else None
    page = _document(
        project, ids, coders=coders, codebook=None, caller="export_html", media=links
    )
    try:
        with atomic_path(path) as tmp:
            _write(page, tmp)
    except OSError as exc:
        raise ExportError(
            Errors.QC929.format(path=path, detail=exc.strerror or type(exc).__name__)
        ) from exc
    return path
