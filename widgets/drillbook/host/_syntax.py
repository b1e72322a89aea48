"""Split one console line into commands, pipes and ``&&``/``;`` lists, or explain politely why
not. Only the subset of shell an engineer types at an incident console is understood; anything
else (substitution, redirection, variables, subshells, background jobs) is named and refused,
never interpreted: nothing here can run a real program.
"""

from __future__ import annotations

from dataclasses import dataclass

UNSUPPORTED = "drillbook: {what} is not supported in this practice console"


class ShellSyntaxError(Exception):
    """The line cannot be run; ``message`` is what the console prints."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Step:
    """One pipeline and how it joins the previous one (``;`` or ``&&``)."""

    joiner: str
    pipeline: tuple[tuple[str, ...], ...]


def _unsupported(what: str) -> ShellSyntaxError:
    return ShellSyntaxError(UNSUPPORTED.format(what=what))


def _bash_token(token: str) -> ShellSyntaxError:
    return ShellSyntaxError(f"bash: syntax error near unexpected token `{token}'")


def _dollar(line: str, i: int) -> ShellSyntaxError | None:
    """What a ``$`` at ``line[i]`` starts, if it is special."""
    nxt = line[i + 1] if i + 1 < len(line) else ""
    if nxt == "(":
        return _unsupported("command substitution $(…)" if line[i + 2:i + 3] != "(" else "arithmetic $((…))")
    if nxt == "{" or nxt.isalnum() or nxt in "_?!$#@*-":
        return _unsupported("shell variables ($NAME)")
    if nxt in "'\"":
        return _unsupported("$'…' quoting")
    return None


def tokenize(line: str) -> list[str | tuple[str]]:
    """Words (str) and operators (1-tuples: ``("|",)``, ``("&&",)``, ``(";",)``)."""
    out: list[str | tuple[str]] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(line)

    def flush() -> None:
        nonlocal in_word
        if in_word:
            out.append("".join(word))
            word.clear()
            in_word = False

    while i < n:
        c = line[i]
        if c in " \t":
            flush()
            i += 1
            continue
        if c == "#" and not in_word:
            break
        if c == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("drillbook: unterminated quote ' (this console reads one line at a time)")
            word.append(line[i + 1:end])
            in_word = True
            i = end + 1
            continue
        if c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                if line[j] == "\\" and j + 1 < n and line[j + 1] in '"\\$`':
                    word.append(line[j + 1])
                    j += 2
                    continue
                if line[j] == "`":
                    raise _unsupported("command substitution with backticks")
                if line[j] == "$":
                    problem = _dollar(line, j)
                    if problem:
                        raise problem
                word.append(line[j])
                j += 1
            if j >= n:
                raise ShellSyntaxError('drillbook: unterminated quote " (this console reads one line at a time)')
            in_word = True
            i = j + 1
            continue
        if c == "\\":
            if i + 1 < n:
                word.append(line[i + 1])
            in_word = True
            i += 2
            continue
        if c == "`":
            raise _unsupported("command substitution with backticks")
        if c == "$":
            problem = _dollar(line, i)
            if problem:
                raise problem
        if c in "<>":
            raise _unsupported("redirection (<, >)" if line[i:i + 2] != "<<" else "a here-document (<<)")
        if c in "()":
            raise _unsupported("a subshell ( … )" if not (c == "(" and line[i + 1:i + 2] == ")") else "defining functions")
        if c == "|":
            flush()
            if line[i + 1:i + 2] == "|":
                raise _unsupported("|| (or-lists)")
            if line[i + 1:i + 2] == "&":
                raise _unsupported("|& (piping stderr)")
            out.append(("|",))
            i += 1
            continue
        if c == "&":
            flush()
            if line[i + 1:i + 2] == "&":
                out.append(("&&",))
                i += 2
                continue
            raise _unsupported("running commands in the background (&)")
        if c == ";":
            flush()
            if line[i + 1:i + 2] == ";":
                raise _bash_token(";;")
            out.append((";",))
            i += 1
            continue
        word.append(c)
        in_word = True
        i += 1
    flush()
    return out


def parse(line: str) -> list[Step]:
    """The line as a list of steps; an empty line is an empty list."""
    tokens = tokenize(line)
    steps: list[Step] = []
    pipeline: list[tuple[str, ...]] = []
    words: list[str] = []
    joiner = ";"
    for token in tokens:
        if isinstance(token, str):
            if not words and token in ("{", "}", "[[", "if", "for", "while", "until", "case", "function"):
                raise _unsupported(f"the shell keyword '{token}'")
            if not words and "=" in token and token.split("=", 1)[0].isidentifier():
                raise _unsupported("shell variables (NAME=value)")
            words.append(token)
            continue
        op = token[0]
        if not words:
            raise _bash_token(op)
        pipeline.append(tuple(words))
        words = []
        if op != "|":
            steps.append(Step(joiner, tuple(pipeline)))
            pipeline = []
            joiner = op
    if words:
        pipeline.append(tuple(words))
    elif pipeline or joiner == "&&":
        raise _bash_token("newline")
    if pipeline:
        steps.append(Step(joiner, tuple(pipeline)))
    return steps
