"""Where a finding points: template line and column, the Python source, and report paths.

A finding carries where it comes from: the template file, the resource's logical id and
the property path. The line and column in the template are computed here, lazily and only
for the findings a report renders: each template file is scanned once (a small JSON
tokenizer that records where every key and array element starts) and the index is cached.

The Python file and line that created the construct come from the assembly's creation
traces (recorded when synthesizing with ``CDK_DEBUG=true JSII_HOST_STACK_TRACES=1``, see
:meth:`tap.rules.model.StackTemplate.python_frame`) and are already on the finding
(``Finding.source``).

Example
-------
>>> from tap.reports.source import locate_in_text
>>> text = '{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}'
>>> locate_in_text(text, "B", "Properties/BucketName")
SourceLocation(file='', line=1, column=64)
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from tap.rules.finding import SourceLocation

if TYPE_CHECKING:
    from tap.rules.finding import Finding

__all__ = [
    "SRCROOT",
    "Artifact",
    "TemplateIndex",
    "artifact",
    "blob_url",
    "display_path",
    "locate_in_text",
    "python_location",
    "template_location",
]

SRCROOT = "%SRCROOT%"
"""The SARIF ``uriBaseId`` of paths relative to the repository root (GitHub's convention)."""

# One JSON token: a string, a structural character, or a bare literal (number, true, ...).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class TemplateIndex:
    """Offsets of every object key and array element of one JSON document.

    Paths are tuples of strings: object keys, and array indexes written as digits
    (``("Resources", "Bucket", "Properties", "LifecycleConfiguration", "Rules", "0")``),
    the form of CDK's property paths.
    """

    def __init__(self, text: str) -> None:
        self._lines = [0] + [m.end() for m in re.finditer("\n", text)]
        self.offsets = _scan(text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def locate(self, path: tuple[str, ...]) -> tuple[int, int] | None:
        """Position of ``path``, else of its deepest ancestor present (a missing property
        points at the object that lacks it); ``None`` only for an empty document."""
        for end in range(len(path), -1, -1):
            offset = self.offsets.get(path[:end])
            if offset is not None:
                return self.position(offset)
        return None


@dataclass
class _Container:
    path: tuple[str, ...]
    is_object: bool
    index: int = 0
    key_path: tuple[str, ...] | None = None


def _scan(text: str) -> dict[tuple[str, ...], int]:
    offsets: dict[tuple[str, ...], int] = {}
    stack: list[_Container] = []
    expect_key = False
    for match in _TOKEN.finditer(text):
        tok, start = match.group(), match.start()
        top = stack[-1] if stack else None
        if tok in "}]":
            stack.pop()
            expect_key = False
            continue
        if tok == ":":
            continue
        if tok == ",":
            expect_key = top is not None and top.is_object
            continue
        if top is not None and top.is_object and expect_key:
            key = json.loads(tok) if tok.startswith('"') else tok
            top.key_path = (*top.path, str(key))
            offsets.setdefault(top.key_path, start)
            expect_key = False
            continue
        # a value: a container opens, or a scalar
        if top is None:
            path: tuple[str, ...] = ()
        elif top.is_object:
            path = top.key_path or top.path
        else:
            path = (*top.path, str(top.index))
            top.index += 1
        offsets.setdefault(path, start)
        if tok in "{[":
            stack.append(_Container(path, tok == "{"))
            expect_key = tok == "{"
    return offsets


def _property_path(logical_id: str | None, property_path: str) -> tuple[str, ...]:
    parts = tuple(p for p in property_path.split("/") if p)
    return ("Resources", logical_id, *parts) if logical_id else parts


def locate_in_text(
    text: str, logical_id: str | None, property_path: str, file: str = ""
) -> SourceLocation | None:
    """Line and column of a resource's property in a JSON template's text."""
    pos = TemplateIndex(text).locate(_property_path(logical_id, property_path))
    return SourceLocation(file, *pos) if pos else None


@lru_cache(maxsize=16)
def _index_of(path: str, mtime_ns: int, size: int) -> TemplateIndex | None:
    del mtime_ns, size  # cache keys only: a rewritten template is scanned again
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.lstrip().startswith("{"):  # a YAML template: no positions
        return None
    return TemplateIndex(text)


def template_location(finding: Finding) -> SourceLocation | None:
    """Where the finding is in its template file: the property, else the nearest
    enclosing object, else the file's first line; ``None`` without a template file."""
    if finding.template_location is not None:
        return finding.template_location
    if not finding.template_path:
        return None
    path = finding.template_path
    try:
        stat = os.stat(path)
    except OSError:
        return SourceLocation(path, 1, 1)
    index = _index_of(path, stat.st_mtime_ns, stat.st_size)
    pos = index.locate(_property_path(finding.logical_id, finding.property_path)) if index else None
    return SourceLocation(path, *(pos or (1, 1)))


def python_location(finding: Finding) -> SourceLocation | None:
    """The user's Python file and line that created the construct, when recorded."""
    return finding.source


@dataclass(frozen=True, slots=True)
class Artifact:
    """A file as a report names it: ``uri`` relative to ``SRCROOT`` when inside the root
    (``base_id`` set), else an absolute ``file://`` URI (``base_id`` ``None``)."""

    uri: str
    base_id: str | None


def _root(root: str | Path | None) -> Path:
    return Path(root).resolve() if root is not None else Path.cwd().resolve()


def artifact(file: str, root: str | Path | None = None) -> Artifact:
    """The report's name for ``file``: relative to ``root`` (default: the working
    directory, the repository root in CI and ``make``) when inside it."""
    path = Path(file)
    base = _root(root)
    absolute = (path if path.is_absolute() else base / path).resolve()
    try:
        return Artifact(absolute.relative_to(base).as_posix(), SRCROOT)
    except ValueError:
        return Artifact(absolute.as_uri(), None)


def display_path(file: str, root: str | Path | None = None) -> str:
    """``file`` relative to ``root`` when inside it, else as given."""
    art = artifact(file, root)
    return art.uri if art.base_id else file


def blob_url(env: dict[str, str] | None = None) -> str | None:
    """Base URL of the repository's files at the reviewed commit, on GitHub Actions.

    ``TAP_REPORT_REF`` (the workflow sets the pull request's head commit) wins over
    ``GITHUB_SHA`` (a pull request's merge commit). ``None`` outside GitHub Actions.
    """
    env = dict(os.environ) if env is None else env
    server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    ref = env.get("TAP_REPORT_REF") or env.get("GITHUB_SHA")
    if not (server and repo and ref):
        return None
    return f"{server.rstrip('/')}/{repo}/blob/{ref}/"
