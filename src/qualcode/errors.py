"""Errors and warnings raised by qualcode, with a catalogue of coded messages.

Every message says *what* went wrong, *where* (file, line, position, code id) and
*what to do*. Codes are never reused. Bands: QC1xx parameters, QC2xx import,
QC3xx codebook, QC4xx store, QC5xx tagging, QC6xx agreement, QC7xx figures and
exports, QC8xx pseudonymisation, QC9xx widget and command line.

Messages never include transcript text beyond the span in question.

Examples
--------
>>> from qualcode.errors import Errors, InvalidInputError
>>> Errors.QC101.format(param="unit", caller="suggest", expected="one of {'turn', 'sentence'}", got="word")
"[QC101] The 'unit' parameter of suggest must be one of {'turn', 'sentence'}. Got 'word' instead."
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "Errors",
    "ExportError",
    "ImportFormatError",
    "InvalidInputError",
    "LLMError",
    "LLMWarning",
    "MissingDependencyError",
    "OffsetError",
    "QualcodeError",
    "QualcodeWarning",
    "StoreError",
    "StoreLockedError",
    "TaggingError",
    "UndefinedStatisticWarning",
    "ImportWarning_",
    "CodebookWarning",
    "DataLossWarning",
    "MediaWarning",
]


class _WithCodes(type):
    """Metaclass that prefixes each catalogue entry with its code, as spaCy does."""

    def __getattribute__(cls, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("_") or not isinstance(msg, str):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=_WithCodes):
    """The message catalogue. Use ``Errors.QCnnn.format(...)``."""

    # --- QC1xx parameters -------------------------------------------------
    QC101 = "The '{param}' parameter of {caller} must be {expected}. Got {got!r} instead."
    QC102 = "{caller} needs the columns {missing} in its '{param}' frame; it has {present}."
    QC103 = "{caller}: {what} needs {package}: pip install 'qualcode[{extra}]'."
    QC104 = "{caller}: '{param}' must not be empty."
    QC105 = "Offsets [{start}, {end}) are not valid for transcript '{transcript}' of length {length}: need 0 <= start < end <= length."
    QC109 = "{caller}: unknown {what} {value!r}{where}{hint}. Known: {n}."
    # Ranges owned by each package (add new codes inside your range):
    # io/corpus QC228-QC289, codebook QC312-QC339, store QC414-QC469 (server QC450+),
    # tagging QC513-QC539, llm QC540-QC569, agreement QC610-QC639, saturation QC640-QC659,
    # export QC718-QC739, treemap QC759-QC779, refi QC780-QC799, anonymise QC813-QC839,
    # cli QC909-QC919, widget QC924-QC939.

    # --- QC2xx import -----------------------------------------------------
    QC201 = "{path}: file not found. Check the path."
    QC202 = "{path}: the file is empty. Export the transcript again."
    QC203 = "{path}: unknown format {format!r}. Use one of {known} or pass format=."
    QC204 = "{path}: could not decode the text ({detail}). Save it as UTF-8 or pass encoding=."
    QC205 = "Transcript ids must be unique: '{id}' comes from both {first} and {second}. Rename one file or pass ids explicitly."
    QC206 = "{path}: not a readable {format} file ({detail}). The file may be truncated or not really {format}; export it again."
    QC207 = "{path}, line {line}: {detail}"
    QC208 = "{path}: no transcript files found. Pass a folder, a glob or a list of files with known suffixes."
    QC209 = "Attributes: {detail}"
    # QC21x-QC22x: transcript importers and read_corpus (io/_decode, txt, docx, vtt, srt, pdf; corpus.py)
    QC210 = "{path}, line {line}: malformed timestamp {got} in a cue timing line; expected {expected}. Fix the line or pass strict=False to skip bad cues."
    QC211 = "{path}, line {line}: the cue ends ({end}) before it starts ({start}). Fix the timing or pass strict=False to skip bad cues."
    QC212 = "{path}, line 1: a WebVTT file must start with 'WEBVTT'; this one does not. Export the captions again or pass strict=False."
    QC213 = "{path}: the PDF has {pages} page(s) but no extractable text (a scanned image?). Run OCR on it (e.g. ocrmypdf) and import the result."
    QC214 = "{path}: no transcript text found ({detail}). Check that this is the transcript you meant to import."
    QC215 = "{path}: could not read the file ({detail}). Check the path and its permissions."
    QC216 = "{path}, line {line}: expected a cue timing line 'start --> end' here. Fix the cue or pass strict=False to skip bad cues."
    QC217 = "{path}: this is not a text file ({detail}). Pass the right format= or export the transcript as text again."
    QC218 = "{path}: the PDF is encrypted. Remove the password (save an unprotected copy) and import that."
    QC219 = "{path}, line {line}: skipped a bad cue ({detail})."
    QC220 = "The 'speakers' mapping of {caller}: entry {label!r} must be a role in {roles}, None, or a dict with keys 'name' and/or 'role'; got {got!r}."
    QC221 = "{path}: skipped because it could not be imported ({detail})."
    QC222 = "{path}: reading it as {format} failed unexpectedly ({detail}). The file may be damaged; if it opens elsewhere, please report this as a qualcode bug."
    QC223 = "Attributes {source}: {n} row(s) name transcript ids not in the corpus: {ids}. Check the ids (file names without suffix by default) or remove those rows."
    QC224 = "Attributes {source}: no key column; expected 'transcript_id' or 'id' among {columns}. Add a 'transcript_id' column holding each transcript's id."
    QC225 = "Attributes {source}: transcript id {id!r} appears in more than one row ({rows}). Keep one row per transcript."
    QC226 = "Attributes {source}: could not read the table ({detail}). Save it as CSV (UTF-8) or XLSX and try again."
    QC227 = "Attributes {source}: row {row} has an empty transcript id. Fill it in or delete the row."
    QC228 = "{path}, {where}: {n} byte(s) not valid UTF-8 in an otherwise UTF-8 file; read as Windows-1252 characters (pasted from Word?), U+FFFD where undefined. Check those lines and save the file as UTF-8."
    QC229 = "Attributes {source}, line {line}: {n} fields but the header has {m} (a trailing {sep!r}, or a value holding an unquoted {sep!r}?). Put quotes around values that contain {sep!r}, or remove the extra field."
    QC230 = "Attributes {source}, line {line}: column {column} has values but no name in the header row. Name the column in the header, or delete it."
    QC231 = "{path}, part '{entry}': refused before reading because {detail} (a zip bomb?). A genuine .{format} file is far smaller; save it again from Word or Excel, or export the text."
    QC232 = "Speakers file {path}, line {line}: {detail}. Columns: label, name, role (interviewer, participant or none), transcript_id (optional)."
    QC233 = "Speakers file {source}: {n} row(s) matched no speaker in any transcript read ({where}). Check the spelling of those labels against the import report."
    QC234 = "{path}: not imported: {what}. To include it, {how}, then import again."
    # demo data (qualcode.datasets.demo): QC290-QC299
    QC290 = "{path}: a codings CSV needs the columns {missing}; it has {present}. Use the header transcript_id,code,quote,occurrence,memo."
    QC291 = "{path}, line {line}: quote {quote!r} (occurrence {occurrence}) is not in the participant turns of transcript '{transcript}'. Copy the quote exactly from the imported text (no speaker label) or fix the occurrence."
    QC292 = "{path}, line {line}: {detail}; {fix}."
    QC293 = "The demo corpus (corpora/demo) was not found above {where}: the demo data ship with the qualcode repository; run from a checkout."

    # --- QC3xx codebook ---------------------------------------------------
    QC301 = "{path}: {detail}"
    QC302 = "Unknown code '{code}' in codebook '{codebook}'. Known codes start {known}."
    # QC303-QC319: codebook validation, combining, rendering and REFI .qdc (codebook.py, _codebook_*.py, _grammar.py, refi/qdc.py)
    QC303 = "{path}: {count} problem(s) found; fix each and load the codebook again:\n{problems}"
    QC304 = "{where}: {detail}"
    QC305 = "{where}: unknown key '{key}' ignored{hint}. Known keys: {known}."
    QC306 = "Codebook.combine: code id '{code}' is in both {first} and {second}. Code ids must be unique across combined codebooks; rename one of them."
    QC307 = "{path}: not a readable REFI-QDA codebook ({detail}). Export the codebook again from the tool that made it."
    QC308 = "{path}: read leniently: {detail}"
    QC309 = "{path}: the written codebook does not validate against {schema}: {detail}. This is a qualcode bug; please report it with the codebook."
    QC310 = "{path}: refused because the XML declares a DOCTYPE or ENTITY ({detail}). REFI-QDA codebooks never need one; remove the declaration."
    QC311 = "{caller}: {detail}"
    QC312 = "{path}, line {line}: the YAML {kind} '{name}' is refused: codebooks may not use anchors (&name) or aliases (*name), which can expand into a huge document. Write the repeated values out in full."

    # --- QC4xx store ------------------------------------------------------
    QC401 = "{path}: {detail}"
    QC402 = "Unknown transcript '{transcript}' in project {path}. Add it with project.add_transcripts first."
    QC403 = "The project {path} is locked by another process (waited {waited} s; the timeout is {timeout} s). Close the other notebook or process and try again, or open the project with a longer timeout."
    # QC404-QC419: the project store (store/)
    QC404 = "{path}: not a qualcode project ({detail}). Open a project file made by qualcode.Project, or choose a new file name."
    QC405 = "{path}: the project uses schema version {found}, newer than this qualcode understands ({supported}). Upgrade qualcode: pip install -U qualcode."
    QC406 = "{caller}: {n} row(s) {problem}: {rows}{more}. {fix} Nothing was written."
    QC407 = "Unknown coding id {coding_id} in project {path}. Look the id up in project.codings()['coding_id']."
    QC408 = "Transcript '{transcript}' has no turn {turn} (it has {n} turns, numbered from 0). Look turns up in project.turns."
    QC409 = "{caller}: item {position} is a {got}, not a Transcript. Pass a Corpus or Transcripts from read_transcript."
    QC410 = "{caller}: transcript id '{transcript}' appears twice (items {first} and {second}). Give each transcript a unique id."
    QC411 = "Codebook '{name}': code ids {codes} already belong to codebook '{other}' in project {path}. Code ids must be unique across a project's codebooks: rename them."
    QC412 = "{caller}: {what} must be a non-empty string. Got {got!r} instead."
    QC413 = "{path}: {detail} Check the path; merge needs an existing project file."
    QC414 = "{caller}: {what}{where} has {char} at position {position}. {rule}; remove it and try again."
    QC415 = "copy_to: {dest} {detail}. Choose a new file name (the copy is never written over an existing project)."
    QC416 = "{caller}: coder {coder!r} is not in project {path}{hint}. Use the existing name, or pass new_coder=True to add a new coder."
    QC417 = "{caller}: {detail} Nothing was changed in {path}."
    # QC450-QC469: the project on a PostgreSQL server (store/_pg.py, store/_server.py)
    QC450 = "A project on a PostgreSQL server needs psycopg 3. Install it with: pip install 'qualcode[server]'"
    QC451 = "{path}: cannot open the project: {detail}."
    QC452 = "{path}: the connection to the server was lost during this call. The server rolls back an unfinished transaction, so nothing of this call was saved (earlier calls are kept). Check that the server is running and make the same call again."
    QC453 = "{path}: the server refused this change for role {user!r} ({what}). {rule}"
    QC454 = "server {action}: {detail}."

    # --- QC5xx tagging ----------------------------------------------------
    QC501 = "{detail}"
    # QC502-QC529: assisted tagging (tagging/)
    QC502 = "Code '{code}'{where}: pattern {index} is not valid ({detail}). Write a phrase string, a token pattern such as [{{\"LOWER\": \"county\"}}, {{\"LOWER\": \"lines\"}}], {{\"phrase\": ..., \"case\": true}} or {{\"exclude\": [...]}}."
    QC503 = "{caller}: {what} must be a Corpus, a list of Transcripts or a qualcode.Project; got {got}."
    QC504 = "{caller}: exclude_coded_by={coder!r} needs a project to read that coder's codings and decisions; pass a Project as the first argument or project=."
    QC505 = "review: {row} ({transcript} [{start}, {end}) code '{code}') has decision {got!r}; use 'accepted', 'rejected' (or a boolean 'accepted' column), or leave it blank to decide later."
    QC506 = "LearnedTagger.fit: no code has at least {min_positives} positive {unit} units coded by '{coder}' ({detail}). Code more examples, pass codes= or lower min_positives."
    QC507 = "LearnedTagger: not fitted yet. Call .fit(project, coder=...) or LearnedTagger.load(path) first."
    QC508 = "LearnedTagger.load: {path} is not a saved LearnedTagger ({detail}). Save one with tagger.save(path)."
    QC509 = "{caller}: {detail}"
    QC510 = "evaluate: the suggestions are {got} units but unit={unit!r}; pass transcripts= (a Corpus, Transcripts or Project) so units can be rebuilt, or evaluate at unit={got!r}."
    QC511 = "{caller}: transcript '{transcript}' (in {what}) is not among the transcripts given; pass the corpus or project the suggestions were made on."
    QC512 = "{caller}: the tagger {tagger!r} cannot be used here; pass a PatternTagger or a LearnedTagger."
    QC513 = "review: cannot read {path} ({detail}). Give the suggestions sheet as qualcode wrote it, saved as CSV (UTF-8) or XLSX."
    QC514 = "LearnedTagger.fit: {detail}."

    # QC540-QC569: the LLM coder (llm/); never quote transcript text or keys
    QC540 = "{caller}: the endpoint {endpoint} is not on this machine or a private network ({detail}); nothing was sent. Use a server on this machine or your organisation's network, or pass allow_remote=True if the data may leave it."
    QC541 = "{caller}: the endpoint {endpoint!r} is not a usable URL ({detail}). Pass the server's base URL, e.g. 'http://127.0.0.1:8080/v1'."
    QC542 = "{caller}: api_key_env={name!r} names an environment variable that is not set. Set it in the environment the notebook or command runs in, or pass api_key_env=None for a server without a key."
    QC543 = "{caller}: cannot reach the model server at {endpoint} ({detail}). Start the server (e.g. python -m llama_cpp.server --model FILE.gguf) or check the URL; nothing was written."
    QC544 = "{caller}: the server at {endpoint} does not serve model {model!r}; it serves {served}. Pass one of those as model=."
    QC545 = "{caller}: the server at {endpoint} refused the request (HTTP {status}). {fix} Nothing was written."
    QC546 = "{caller}: {n} of {total} unit(s) got no usable answer ({reasons}); each is recorded as a failed call in the audit trail. Run the same call again to retry only those (finished calls come from the cache)."
    QC547 = "{caller}: {detail}"
    QC548 = "{caller}: cache must be a qualcode.Project, a path to a project file, or a call store (find_llm_call, record_llm_call, llm_calls); got {got}."

    # --- QC6xx agreement --------------------------------------------------
    QC601 = "{detail}"
    QC602 = "{caller} needs {expected} coder columns; the data have {got} ({coders}). {hint}"
    QC603 = "{caller}: level='{level}' needs numeric values; got categories such as {examples}. Use level='nominal' or 'ordinal', or recode the values as numbers."
    QC604 = "{caller}: the values {values} are not among categories={categories}. Add them to categories or recode the data."
    QC605 = "unitized_alpha: coder '{coder}' applies two values to overlapping spans ('{first}' [{s1}, {e1}) and '{second}' [{s2}, {e2}) on the pooled continuum). variant='{variant}' needs mutually exclusive values per coder; use variant='|cu' per code, or map codes to exclusive domains."
    QC606 = "unitized_alpha: {detail}. Fix the offsets, the continuum column or continuum_length."
    QC607 = "resolve_disagreements: spreadsheet row {row} (transcript '{transcript}', [{start}, {end})): unknown code '{code}' in the resolution column{hint}. Known codes start {known}. Fix the spelling, write 'none' if no code applies, or leave the cell blank to decide later; nothing was written."
    QC608 = "{caller} needs at least two coders; got {coders}. Pass coders=[...] naming two or more coders who have codings in the project."
    QC609 = "{caller}: {statistic} is undefined for these data ({reason}); returned NaN."
    QC610 = "{caller}: no speaker role was recognised in {n} transcript(s) {ids}, so roles={roles} would leave them out. All their text is analysed instead: their {unit} units come from every turn (each paragraph or cue without a speaker label is a turn). Label the speakers (read_transcript(..., speakers=...)) to compare only the chosen roles' turns."
    QC611 = "resolve_disagreements: {n} row(s) of the sheet have no resolution yet (spreadsheet rows {rows}, header = row 1); they were left undecided and nothing was written for them. Fill them with codes, or 'none' if no code applies, and resolve again."
    QC612 = "resolve_disagreements: spreadsheet row {row} (transcript '{transcript}', [{start}, {end})) says 'none' and also names codes {codes}. Write either 'none' (no code applies) or the codes; nothing was written."

    # QC640-QC659: thematic saturation (saturation.py)
    QC640 = "saturation: {detail}. Code some interviews first, or check the coder and codes you passed."
    QC641 = "saturation: a base of {base} interviews and a run of {run} need at least {need} interviews; the corpus has {n}. Use a smaller base= or run=, or add interviews."
    QC643 = "saturation: {n} coded transcript(s) without speaker turns are documents, not interviews, and were left out: {ids}. Pass transcripts=[...] to choose the interviews yourself."
    QC642 = "saturation: the codings are by {n} coders {coders}; pass coder=... (saturation is assessed on one coder's or the consensus coding)."

    # --- QC7xx figures and exports ----------------------------------------
    QC701 = "{detail}"
    # QC71x-QC73x: quote banks, matrices, Parquet and REFI-QDA .qdpx exchange (export.py, io/qdpx.py)
    QC710 = "{path}, entry '{entry}': refused because {detail}. The archive may be damaged or malicious; export it again from the tool that made it."
    QC711 = "{path}, entry '{entry}': not well-formed XML ({detail}). Export the project again from the tool that made it."
    QC712 = "{path}, entry '{entry}': refused because the XML declares a DOCTYPE or ENTITY ({detail}). REFI-QDA files never need one and such declarations can read local files (XXE) or expand without bound; remove the declaration."
    QC713 = "{path}: {detail}"
    QC714 = "{caller}: cannot export to {path}: {detail}"
    QC715 = "{path}: the written {entry} does not validate against {schema}: {detail}. This is a qualcode bug; please report it with the project."
    QC716 = "{caller}: the attribution template {template!r} is not valid ({detail}). Use {{attribute}} fields, e.g. '({{role}} – {{rank_band}})', or pass a callable."
    QC717 = "{caller}: unknown {what} {names}; known ones start {known}."
    QC718 = "{caller}: no coded extracts match {filters}; nothing was written. Check the filters (codes, coders, attribute values) against the project."
    # QC75x-QC76x: selection exercises and treemaps (treemap.py, io/selections.py)
    QC750 = "{path}: the selections file has no responses{detail}. Export the responses again (one row per respondent and item, or one column per pick)."
    QC751 = "{path}: missing column(s) {missing}; the file has {present}. {hint}"
    QC752 = "{path}: {n} unknown item(s) not in codebook '{codebook}': {details}. Fix the spelling (matching ignores case and spacing), add the item to the codebook, or mark a value you cannot read as placeholder=true with its category."
    QC753 = "{path}: duplicate picks (the same respondent chose the same item twice): {details}. Remove the repeated rows, or pass duplicates='drop' (count once) or duplicates='keep' (count every response)."
    QC754 = "{path}: respondent(s) with more than max_picks={max_picks} picks: {details}. Check the respondent ids for typos or raise max_picks."
    QC755 = "{path}: cannot tell the layout of the file ({detail}). Pass layout='long' (columns respondent, item), 'wide-picks' (pick1, pick2, ...) or 'wide-binary' (one 0/1 column per item)."
    QC756 = "{path}, {where}: {value!r} is not a 0/1 answer in the wide-binary layout. Use 1 for selected and 0 or blank for not selected."
    QC757 = "{path}: {detail}"
    QC758 = "{caller}: {detail}"

    # QC780-QC799: REFI-QDA exchange (refi/)
    QC780 = "{path}: not imported because {detail}. Nothing was written; if you trust the file, import it on a machine with more memory or split the project in the tool that made it."
    QC781 = "{path}: {n} transcript(s) in the file are already in project {project} with a different text ({ids}). Importing would replace their text and move or orphan their codings, so nothing was written. Pass replace=True (qualcode import --replace) to replace them, or import into a new project."
    QC782 = "{path}: importing into project {project} failed ({detail}). {written}"

    # --- QC8xx pseudonymisation -------------------------------------------
    QC801 = "{detail}"
    # QC802-QC819: pseudonymisation and the leak check (anonymise.py, Project.replace_texts); never quote originals
    QC802 = "{where}, line {line}: {detail}. Fix that line of the key and load it again."
    QC803 = "{where}: lines {first} and {second} list the same original with different pseudonyms ({p1!r} and {p2!r}). Keep one of the lines so the original is always replaced the same way."
    QC804 = "{where}, line {line}: the pseudonym {pseudonym!r} contains the original of line {other} as a whole word, so pseudonymised text would still hold it. Choose a pseudonym without it."
    QC805 = "Detector {name}: {detail}. Use a built-in name ({known}), a Detector(name, pattern) or a (name, regex) pair."
    QC806 = "{caller}: {detail}."
    QC807 = "{path}: {detail}."
    QC808 = "{caller}: edit {position} would rename a transcript to {new!r}, an id another transcript in {path} already has. Rename or remove that transcript first; nothing was changed."
    QC809 = "suggest_entities needs a spaCy pipeline that recognises named entities: {detail}. Install a trained pipeline (e.g. en_core_web_sm) and pass nlp=spacy.load('en_core_web_sm'), or pass a pipeline with an entity_ruler."
    QC810 = "check_leaks: {path}: {detail}."
    QC811 = "{where}: {detail}. Fix the key file and load it again."
    QC812 = "{path}: the text was replaced, but {detail}. Close other notebooks or processes using the project, then call project.replace_texts([], purge=True) to remove the old text from the file."
    QC813 = "{caller}: transcript {transcript}: two attribute names would both be called {new!r} after pseudonymisation. Rename one of them first; nothing was changed."
    QC816 = "{caller}: {n} transcript(s) link a recording (their 'media' attribute); a recording cannot be pseudonymised, so the link was left out of the pseudonymised transcripts. Share recordings only after redacting them yourself."
    QC815 = "pseudonymise: {n} participant(s) keep their key pseudonym instead of their {attribute!r} id (the id is shared, holds a name from the key, or their speaker label goes with more than one id). Check that attribute and the participants' speaker labels."

    # --- QC9xx widget and command line ------------------------------------
    QC901 = "{detail}"
    # QC902-QC919: the qualcode command line (cli/)
    QC902 = "{path}: {what} not found. {fix}"
    QC903 = "{path}: cannot read the {what} ({detail}). {fix}"
    QC904 = "{path}: unsupported file type {suffix!r} for {what}. Use one of {known}."
    QC905 = "{option} {got!r}: not a coder in project {path}{hint}; its coders are {known}. Check the spelling."
    QC906 = "{path}: already exists and would be overwritten. {fix}"
    QC907 = "{path}: {detail}. {fix}"
    QC908 = "unexpected {kind} ({detail}). This is probably a qualcode bug: run the command again with --debug and report the traceback."
    QC909 = "{path}: {n} row(s) already have a filled '{column}' column ({what} perhaps not applied yet); writing the file again would lose them. Apply them first ({apply}), write to another file, or pass --force to overwrite."
    QC910 = "{path}: exists and cannot be read to check for filled '{column}' rows ({detail}). Write to another file, or pass --force to overwrite it."
    QC911 = "--coder {got!r}: not a coder in project {path} yet{hint}; its coders are {known}. Check the spelling, or pass --new-coder to add {got!r} as a new coder."
    QC912 = "{path}: nothing to compare by {unit}: {why}. Agreement is computed on the units of transcripts coded by at least two of the coders ({coders}). {fix}"
    QC913 = "{path}, row {row}: {detail}. {fix}; nothing was imported."
    QC914 = "--password-env {var}: the environment variable is not set or empty. {fix}."
    # QC920-QC939: the coding widget and the read-only HTML view (widget/)
    QC920 = "{caller}: the project {path} has no transcripts. Add some with project.add_transcripts(qc.read_corpus(...)) first."
    QC921 = "{caller}: the project {path} has no codebook, so there are no codes to apply. Set one with project.set_codebook(qc.Codebook.load('codebooks/roles.yaml'))."
    QC922 = "Offsets [{start}, {end}) in transcript '{transcript}' are not inside one turn ({detail}). Select text within a single turn, or code whole turns one at a time; nothing was written."
    QC923 = "Unknown code {code!r}: it is not in the project's codebook. Known codes start {known}. Pick a code from the code tree; nothing was written."
    QC924 = "Coding {coding_id} belongs to coder '{owner}', not '{coder}': the widget changes only your own codings. Open the widget with coder='{owner}' to change it; nothing was written."
    QC925 = "Suggestion {index!r} does not exist: {n} suggestion(s) are loaded, numbered from 0. Use a number from the widget's suggestion list; nothing was written."
    QC926 = "Nothing is selected in transcript '{transcript}'. Select a passage or click a turn's number first, then apply a code; nothing was written."
    QC927 = "{caller}: {param}={got!r} is not a coder in project {path}; its coders are {known}. Check the spelling."
    QC928 = "No suggestions are loaded in this widget. Open it with suggestions=qc.suggest(project, project.codebook) or suggestions='auto'."
    QC929 = "export_html: cannot write {path} ({detail}). Choose a writable path ending in .html."
    QC930 = "CodingWidget: the browser sent an action the widget does not know ({action!r}). This is a qualcode bug; please report it."
    QC931 = "Transcript '{transcript}' has no turn {turn!r} (it has {n} turns, numbered from 0). Click a turn's number in the widget or look turns up in project.turns; nothing was written."
    # QC932-QC935: a transcript's recording (the 'media' attribute; qualcode.media)
    QC932 = "{caller}: transcript '{transcript}': its recording {path} was not found (looked in {looked}). The transcript opens without a player; put the file there or set the 'media' attribute to its path (project.set_attributes)."
    QC933 = "{caller}: transcript '{transcript}': its recording {path} is not an audio or video file qualcode plays (suffix {suffix!r}; known {known}). Convert it (e.g. to .mp3, .ogg, .opus or .mp4) and set the 'media' attribute to the new file."
    QC934 = "{caller}: transcript '{transcript}': its recording {path} is {size} MiB, over the widget's limit of {limit} MiB, so it is not sent to the browser. Play it from the HTML view (qualcode.widget.export_html) or convert it to a smaller file (e.g. Opus audio)."
    QC935 = "{caller}: transcript '{transcript}': cannot {what} its recording {path} ({detail}). {fix}"


class QualcodeError(Exception):
    """Base class of every error qualcode raises on purpose."""


class InvalidInputError(QualcodeError, ValueError):
    """A parameter or input frame is not valid."""


class ImportFormatError(QualcodeError, ValueError):
    """A file could not be imported; ``path``, ``line`` and ``position`` say where."""

    def __init__(
        self,
        message: str,
        *,
        path: object = None,
        line: int | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = None if path is None else str(path)
        self.line = line
        self.position = position


class OffsetError(QualcodeError, ValueError):
    """Character offsets do not fit the stored text."""


class CodebookError(QualcodeError, ValueError):
    """A codebook file or code is not valid."""


class StoreError(QualcodeError, RuntimeError):
    """The project store refused an operation."""


class StoreLockedError(StoreError):
    """Another process holds the project's write lock."""


class TaggingError(QualcodeError, ValueError):
    """Assisted tagging could not run as asked."""


class ExportError(QualcodeError, ValueError):
    """An export or exchange file could not be written or read."""


class LLMError(QualcodeError, RuntimeError):
    """The model server could not be used as asked (refused, unreachable, wrong model)."""


class MissingDependencyError(QualcodeError, ImportError):
    """An optional dependency is not installed."""


class QualcodeWarning(UserWarning):
    """Base class of qualcode's warnings."""


class UndefinedStatisticWarning(QualcodeWarning):
    """A statistic is undefined for these data (returned as NaN)."""


class ImportWarning_(QualcodeWarning):  # noqa: N801 - avoid shadowing builtins.ImportWarning
    """An importer repaired or skipped something in a file."""


class CodebookWarning(QualcodeWarning):
    """A codebook was loaded leniently (e.g. a foreign REFI dialect)."""


class LLMWarning(QualcodeWarning):
    """Some units got no usable answer from the model (recorded in the audit trail)."""


class MediaWarning(QualcodeWarning):
    """A transcript's recording is missing, unplayable or too large to send."""


class DataLossWarning(QualcodeWarning):
    """Something could not be carried over and was reported, not silently dropped."""
