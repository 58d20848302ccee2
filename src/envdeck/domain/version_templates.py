"""SSH upgrade templates that would have the shell read `{VERSION}` a second time.

The version is substituted as one shell-quoted word (services/operations/templates.py), which
holds only while the shell reads it once, as data. Some templates hand it to a second reading,
as code: `eval {VERSION}`, the command string of `sh -c` / `bash -c` (or `su -c`), a command
substitution (`$( … )`, backticks: its output is read again, and run when it stands first), the
file of `source` / `.`, a shell fed through a pipe, `xargs sh`, a here-document or here-string.
There a version named `id` runs `id`. Such templates are refused when saved, with the reason
(`reevaluation_problem`).

The template is parsed with tree-sitter's bash grammar, with `{VERSION}` replaced by a plain
word so that it stays inside the word it was written in.
"""

from functools import lru_cache

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from envdeck.domain.command_kinds import VERSION_PLACEHOLDER

_MARKER = "EnvdeckVersionPlaceholder"
# Programs that read their -c argument as a shell script; su and runuser take it after the user.
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "su", "runuser"})
_USER_SHELLS = frozenset({"su", "runuser"})
# Programs that run the command that follows them (their own options skipped).
_WRAPPERS = frozenset(
    {"sudo", "doas", "env", "exec", "command", "builtin", "nohup", "nice", "time", "timeout",
     "stdbuf", "setsid", "busybox", "xargs", "ionice", "chronic", "flock"}
)  # fmt: skip
_SOURCE = frozenset({"source", "."})
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_ADVICE = "pass the version as an argument instead, e.g. bash -c 'upgrade \"$1\"' _ {VERSION}"


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(Language(tree_sitter_bash.language()))


def reevaluation_problem(template: str) -> str | None:
    """Return why this SSH template would run `{VERSION}` as code, or None if it does not."""
    if VERSION_PLACEHOLDER not in template:
        return None
    source = template.replace(VERSION_PLACEHOLDER, _MARKER).encode("utf-8")
    tree = _parser().parse(source)
    stack: list[Node] = [tree.root_node]
    while stack:
        node = stack.pop()
        problem = _problem_at(node, source)
        if problem is not None:
            return f"{problem}: a version would be run as a command; {_ADVICE}"
        stack.extend(node.children)
    return None


def _text(node: Node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def _has(node: Node, source: bytes) -> bool:
    return _MARKER in _text(node, source)


def _problem_at(node: Node, source: bytes) -> str | None:
    if node.type == "command_substitution" and _has(node, source):
        return f"{VERSION_PLACEHOLDER} inside $( … ) or backticks, whose output the shell reads"
    if node.type == "pipeline":
        return _pipeline_problem(node, source)
    if node.type == "redirected_statement":
        return _here_document_problem(node, source)
    if node.type == "command":
        return _command_problem(node, source)
    return None


def _words(command: Node, source: bytes) -> list[tuple[str, bool]]:
    """Return (the word without quotes, whether it holds the placeholder) of each word."""
    words = []
    for child in command.children:
        if child.type in _REDIRECTS or child.type in ("variable_assignment", "comment"):
            continue
        text = _text(child, source)
        if child.type in ("string", "raw_string") and len(text) >= 2:
            text = text[1:-1]
        words.append((text, _MARKER in text))
    return words


def _name(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _program(words: list[tuple[str, bool]]) -> int:
    """Return the index of the program a command runs, past wrappers and their options."""
    index = 0
    while index < len(words):
        word = words[index][0]
        if index and (word.startswith("-") or "=" in word or word.isdigit()):
            index += 1  # an option, an env assignment or a timeout of the wrapper before
        elif _name(word) in _WRAPPERS:
            index += 1
        else:
            return index
    return index


def _command_problem(command: Node, source: bytes) -> str | None:
    words = _words(command, source)
    if not words:
        return None
    if words[0][1]:
        return f"{VERSION_PLACEHOLDER} as the command itself"
    start = _program(words)
    if start < len(words):
        program, rest = _name(words[start][0]), words[start + 1 :]
        if words[start][1]:
            return f"{VERSION_PLACEHOLDER} as the command itself"
        if program == "eval" and any(marked for _, marked in rest):
            return "eval reads its arguments again as shell code"
        if program in _SOURCE and any(marked for _, marked in rest):
            return f"{program} runs a file named by {VERSION_PLACEHOLDER} as shell code"
        if _here_string_into_shell(command, program, source):
            return f"a here-string with {VERSION_PLACEHOLDER} is read by {program} as a script"
    for index, (word, _) in enumerate(words):
        if _name(word) in _SHELLS and _script_argument_marked(
            words[index + 1 :], _name(word) in _USER_SHELLS
        ):
            return (
                f"{_name(word)} -c reads its command string, {VERSION_PLACEHOLDER} in it, as code"
            )
    return None


def _script_argument_marked(after: list[tuple[str, bool]], operands_first: bool) -> bool:
    """Tell whether the script a shell gets with -c (the first operand after it) holds it."""
    reads_script = False
    words = iter(after)
    for word, marked in words:
        if word in ("-o", "+o", "-O", "+O"):
            next(words, None)  # `-o pipefail`: the option's own argument
        elif word[:1] in "-+" and not word.startswith("--") and len(word) > 1:
            reads_script = reads_script or "c" in word[1:]
        elif reads_script:
            return marked
        elif not operands_first:
            return False  # a script file: what follows are its arguments
    return False


def _reads_code(command: Node, source: bytes) -> str | None:
    """Return the program of a command that runs what it reads on stdin, else None."""
    words = _words(command, source)
    start = _program(words)
    if start >= len(words):
        return None
    program = _name(words[start][0])
    operands = [w for w, _ in words[start + 1 :] if not w.startswith("-")]
    if program in _SHELLS and not any("c" in w[1:] for w, _ in words if w.startswith("-")):
        return program
    if program in _SOURCE and operands[:1] in (["/dev/stdin"], ["-"]):
        return program
    if program == "eval" or any(_name(w) in _SHELLS | {"eval"} for w, _ in words[1:]):
        return program
    return None


def _pipeline_problem(pipeline: Node, source: bytes) -> str | None:
    commands = [child for child in pipeline.children if child.type == "command"]
    for index, command in enumerate(commands):
        if not _has(command, source):
            continue
        for later in commands[index + 1 :]:
            reader = _reads_code(later, source)
            if reader is not None:
                return f"{VERSION_PLACEHOLDER} is piped into {reader}, which runs it"
    return None


def _here_string_into_shell(command: Node, program: str, source: bytes) -> bool:
    return (program in _SHELLS or program in _SOURCE) and any(
        child.type == "herestring_redirect" and _has(child, source) for child in command.children
    )


def _here_document_problem(statement: Node, source: bytes) -> str | None:
    commands = [child for child in statement.children if child.type == "command"]
    documents = [child for child in statement.children if child.type == "heredoc_redirect"]
    if not commands or not any(_has(document, source) for document in documents):
        return None
    reader = _reads_code(commands[0], source)
    if reader is None:
        # `cat <<EOF | sh`: the here-document flows through a pipe into a shell.
        for document in documents:
            for pipeline in (c for c in document.children if c.type == "pipeline"):
                for command in (c for c in pipeline.children if c.type == "command"):
                    reader = reader or _reads_code(command, source)
    if reader is None:
        return None
    return f"a here-document with {VERSION_PLACEHOLDER} is read by {reader} as a script"
