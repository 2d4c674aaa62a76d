"""Codebook documents for coder training: Markdown and self-contained HTML (private).

:meth:`qualcode.Codebook.to_markdown`, :meth:`~qualcode.Codebook.to_html` and
:meth:`~qualcode.Codebook.render` call these.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING

from qualcode._grammar import pattern_summary

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.codebook import Codebook

__all__ = ["html_document", "markdown_document"]

HTML_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:52rem;
margin:2rem auto;padding:0 1rem;line-height:1.45;color:#222}
h1{margin-bottom:.2rem} .meta{color:#555;font-size:.9rem}
section.code{border-left:.45rem solid var(--c,#999);padding:.2rem .8rem;margin:1rem 0;
break-inside:avoid;page-break-inside:avoid}
section.depth-0{background:#f6f6f6}
code{background:#f0f0f0;padding:0 .2rem;border-radius:3px;font-size:.9em}
.id{color:#555;font-weight:normal;font-size:.8em}
blockquote{margin:.2rem 0 .2rem 1rem;color:#333;font-style:italic}
dt{font-weight:bold;margin-top:.4rem} dd{margin-left:1rem}
ul{margin:.2rem 0} .flags{font-size:.85rem;color:#444}
nav ul{columns:2} @media print{nav{display:none} body{max-width:none}}
"""


def markdown_document(cb: Codebook) -> str:
    """The Markdown document of :meth:`qualcode.Codebook.to_markdown`."""
    out: list[str] = [f"# {cb.name or 'Codebook'}", ""]
    out.append(f"Version {cb.version} · {len(cb)} codes · content hash `{cb.hash}`")
    out.append("")
    if cb.description:
        out += [cb.description.strip(), ""]
    roots = cb.roots()
    if roots:
        out += ["## Contents", ""]
        for r in roots:
            out.append(
                f"- [{r.label}](#{r.id}) ({len(cb.descendants(r.id))} codes below)"
            )
        out += [
            "",
            "Patterns: `~word` = any form of *word*; `(a|b)` = either; "
            "`?` optional. Phrases match case-insensitively.",
            "",
        ]
    for code, depth in cb.walk():
        level = "#" * min(2 + depth, 6)
        out.append(f'{level} {code.label} <a id="{code.id}"></a>')
        out.append("")
        facts = [f"id `{code.id}`"]
        if code.parent:
            facts.append(f"under {cb[code.parent].label}")
        if code.color:
            facts.append(f"colour `{code.color}`")
        for k, v in code.flags.items():
            facts.append(f"{k}: {'yes' if v is True else 'no' if v is False else v}")
        out += [" · ".join(facts), ""]
        if code.definition:
            out += [f"**Definition.** {code.definition.strip()}", ""]
        for title, items in (("Include", code.include), ("Exclude", code.exclude)):
            if items:
                out.append(f"**{title}:**")
                out += [f"- {x}" for x in items]
                out.append("")
        if code.examples:
            out.append("**Examples:**")
            out += [f"> {x}" + "  " for x in code.examples]
            out.append("")
        if code.patterns:
            shown = ", ".join(f"`{pattern_summary(p)}`" for p in code.patterns)
            out += [f"**Patterns:** {shown}", ""]
        if code.source or code.source_status:
            src = code.source or ""
            if code.source_status:
                src += f" ({code.source_status})"
            out += [f"*Source:* {src.strip()}", ""]
        if code.note:
            out += [f"*Note:* {code.note.strip()}", ""]
    sources = cb.meta.get("sources")
    if isinstance(sources, list) and sources:
        out += ["## Sources", ""]
        for s in sources:
            if isinstance(s, Mapping):
                bits = [
                    str(s.get("id", "")),
                    str(s.get("title", "")),
                    str(s.get("url", "")),
                ]
                out.append("- " + " ".join(f"{b}" for b in bits if b and b != "None"))
            else:
                out.append(f"- {s}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def html_document(cb: Codebook) -> str:
    """The HTML document of :meth:`qualcode.Codebook.to_html`."""
    e = html.escape
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(cb.name or 'Codebook')}</title>",
        f"<style>{HTML_CSS}</style></head><body>",
        f"<h1>{e(cb.name or 'Codebook')}</h1>",
        f'<p class="meta">Version {e(cb.version)} · {len(cb)} codes · '
        f"content hash <code>{e(cb.hash)}</code></p>",
    ]
    if cb.description:
        parts.append(f"<p>{e(cb.description.strip())}</p>")
    roots = cb.roots()
    if roots:
        parts.append("<nav><h2>Contents</h2><ul>")
        parts += [f'<li><a href="#{e(r.id)}">{e(r.label)}</a></li>' for r in roots]
        parts.append("</ul></nav>")
        parts.append(
            '<p class="meta">Patterns: <code>~word</code> = any form of '
            "<em>word</em>; "
            "<code>(a|b)</code> = either; <code>?</code> optional. Phrases match "
            "case-insensitively.</p>"
        )
    for code, depth in cb.walk():
        colour = code.color or cb.root_of(code.id).color or "#999999"
        h = min(2 + depth, 6)
        parts.append(
            f'<section class="code depth-{depth}" id="{e(code.id)}" '
            f'style="--c:{e(colour)}">'
        )
        parts.append(
            f'<h{h}>{e(code.label)} <span class="id">{e(code.id)}</span></h{h}>'
        )
        facts = []
        if code.parent:
            facts.append(
                f'under <a href="#{e(code.parent)}">{e(cb[code.parent].label)}</a>'
            )
        for k, v in code.flags.items():
            val = "yes" if v is True else "no" if v is False else str(v)
            facts.append(f"{e(k)}: {e(val)}")
        if facts:
            parts.append(f'<p class="flags">{" · ".join(facts)}</p>')
        parts.append("<dl>")
        if code.definition:
            parts.append(f"<dt>Definition</dt><dd>{e(code.definition.strip())}</dd>")
        for title, items in (("Include", code.include), ("Exclude", code.exclude)):
            if items:
                lis = "".join(f"<li>{e(x)}</li>" for x in items)
                parts.append(f"<dt>{title}</dt><dd><ul>{lis}</ul></dd>")
        if code.examples:
            qs = "".join(f"<blockquote>{e(x)}</blockquote>" for x in code.examples)
            parts.append(f"<dt>Examples</dt><dd>{qs}</dd>")
        if code.patterns:
            ps = ", ".join(
                f"<code>{e(pattern_summary(p))}</code>" for p in code.patterns
            )
            parts.append(f"<dt>Patterns</dt><dd>{ps}</dd>")
        if code.source or code.source_status:
            src = (code.source or "") + (
                f" ({code.source_status})" if code.source_status else ""
            )
            parts.append(f"<dt>Source</dt><dd>{e(src.strip())}</dd>")
        if code.note:
            parts.append(f"<dt>Note</dt><dd>{e(code.note.strip())}</dd>")
        parts.append("</dl></section>")
    sources = cb.meta.get("sources")
    if isinstance(sources, list) and sources:
        parts.append("<h2>Sources</h2><ul>")
        for s in sources:
            if isinstance(s, Mapping):
                url = s.get("url")
                title = e(f"{s.get('id', '')} {s.get('title', '')}".strip())
                link = f' <a href="{e(str(url))}">{e(str(url))}</a>' if url else ""
                parts.append(f"<li>{title}{link}</li>")
            else:
                parts.append(f"<li>{e(str(s))}</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
