"""Recognise the Lambda handlers that aws-cdk-lib itself vends.

aws-cdk-lib creates functions of its own for S3 notifications, ``BucketDeployment``,
``AwsCustomResource``, the provider framework, log retention, auto-delete objects,
cross-region references and more. Their code serves every configuration of the construct:
the S3-notifications handler reads the bucket's existing configuration only for an imported
bucket (``Managed: false``), ``BucketDeployment`` calls CloudFront only when a distribution
is given. CDK grants exactly what the configuration in use needs. ``iam-code-permissions``
therefore **trusts CDK's grants** for these handlers and does not analyse their code: a
path-insensitive reading of it charges every configuration's calls to every function.

A function counts as CDK-vended on evidence that does not depend on what a user may name
a construct:

1. **CDK's own marker.** aws-cdk-lib records ``aws:cdk:is-custom-resource-handler-singleton``
   / ``-customResourceProvider`` in the cloud assembly's metadata on the handlers it vends
   (its ``CustomResourceConfig`` finds them the same way). The marker covers the function's
   construct and its subtree.
2. **CDK's singleton ids.** Vended singletons live at fixed construct ids that embed a GUID
   chosen in aws-cdk-lib's source (``BucketNotificationsHandler050a0587...``); the table is
   :data:`SINGLETON_IDS`. They are matched on a construct-path segment, or on the logical id
   when the template carries no path.
3. **CDK's code.** The handler module is, statement for statement (comments and layout
   aside: CDK strips comments from inline code), a Python handler that aws-cdk-lib ships
   (``custom-resource-handlers/dist/**.py`` of the package). Their fingerprints are in
   ``cdk_handlers.json``, regenerated with ``python -m tap.rules.iam._vended`` after an
   aws-cdk-lib upgrade (a test fails until then).

User code behind a vended construct (a Provider's ``on_event_handler``, a custom
``SingletonFunction``) carries none of these and is analysed as usual.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import tarfile
import warnings
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tap.rules.base import Context
    from tap.rules.model import Resource, StackTemplate

__all__ = [
    "SINGLETON_IDS",
    "cdk_vended",
    "fingerprint",
    "shipped_handler_fingerprints",
]

MARKERS = frozenset(
    {
        "aws:cdk:is-custom-resource-handler-singleton",
        "aws:cdk:is-custom-resource-handler-customResourceProvider",
    }
)

# Construct ids (or id prefixes: CDK appends the memory size, the ephemeral storage size or
# the VPC to the GUID when they are set) of the singletons aws-cdk-lib vends, as written in
# its source (each seen in a synthesized 2.275 assembly). The GUIDs make a collision with a
# user's construct id practically impossible. Handlers made by CDK's CustomResourceProvider
# (auto-delete objects, cross-region references, ...) carry CDK's marker instead.
SINGLETON_IDS: dict[str, str] = {
    "BucketNotificationsHandler050a0587b7544547bf325f094a3db834": "S3 bucket notifications",
    "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C": "BucketDeployment",
    "AWS679f53fac002430cb0da5b7982bd2287": "AwsCustomResource",
    "LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a": "log retention",
}

_DATA = Path(__file__).with_name("cdk_handlers.json")
_MAX_METADATA_BYTES = 64_000_000


@lru_cache(maxsize=512)
def fingerprint(source: str) -> str | None:
    """A digest of a Python module's syntax tree (comments and layout do not count);
    ``None`` if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in the handlers' regexes
            tree = ast.parse(source)
        dumped = ast.dump(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()


@cache
def _known_fingerprints() -> dict[str, str]:
    try:
        data = json.loads(_DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    handlers = data.get("handlers") if isinstance(data, dict) else None
    return dict(handlers) if isinstance(handlers, dict) else {}


def shipped_handler_fingerprints(tgz: Path) -> dict[str, str]:
    """``{fingerprint: path}`` of every Python handler in aws-cdk-lib's jsii tarball."""
    out: dict[str, str] = {}
    prefix = "package/custom-resource-handlers/dist/"
    with tarfile.open(tgz) as tar:
        for member in tar:
            if not (member.isfile() and member.name.startswith(prefix)):
                continue
            if not member.name.endswith(".py"):
                continue
            stream = tar.extractfile(member)
            if stream is None:
                continue
            digest = fingerprint(stream.read().decode("utf-8"))
            if digest is not None:
                out[digest] = member.name[len(prefix) :]
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def installed_tarball() -> tuple[str, Path] | None:
    """(version, path) of the installed aws-cdk-lib's jsii tarball."""
    try:
        import aws_cdk._jsii as jsii_pkg  # noqa: PLC0415 - only to regenerate the table
    except ImportError:
        return None
    folder = Path(jsii_pkg.__file__).parent
    for tgz in sorted(folder.glob("aws-cdk-lib@*.jsii.tgz")):
        version = tgz.name.split("@", 1)[1].removesuffix(".jsii.tgz")
        return version, tgz
    return None


# -- the three kinds of evidence ---------------------------------------------------------


def _marked_paths(ctx: Context) -> frozenset[str]:
    """Construct paths (without leading slash) that carry one of CDK's vended markers."""
    cached = ctx.shared.get("iam.vended_markers")
    if cached is None:
        cached = frozenset(_read_markers(ctx.stack))
        ctx.shared["iam.vended_markers"] = cached
    return cached


def _read_markers(stack: StackTemplate) -> set[str]:
    root = stack.assembly_dir
    if root is None or not re.fullmatch(r"[A-Za-z0-9_.-]+", stack.name or ""):
        return set()
    path = root / f"{stack.name}.metadata.json"
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_METADATA_BYTES:
            return set()
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return set()
    out: set[str] = set()
    if not isinstance(data, dict):
        return out
    for cpath, entries in data.items():
        if not isinstance(cpath, str) or not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, dict) and entry.get("type") in MARKERS and entry.get("data"):
                out.add(cpath.strip("/"))
    return out


def _by_marker(path: str | None, ctx: Context) -> bool:
    if not path:
        return False
    marked = _marked_paths(ctx)
    if not marked:
        return False
    parts = path.strip("/").split("/")
    # The function's construct or an ancestor below the stack (the stack itself never).
    return any("/".join(parts[:i]) in marked for i in range(2, len(parts) + 1))


def _by_singleton_id(res: Resource, path: str | None) -> str | None:
    if path:
        for segment in path.strip("/").split("/")[1:]:
            for sid, what in SINGLETON_IDS.items():
                if segment.startswith(sid):
                    return what
        return None
    for sid, what in SINGLETON_IDS.items():
        if res.logical_id.startswith(re.sub(r"[^A-Za-z0-9]", "", sid)):
            return what
    return None


def _by_code(source: str | None) -> str | None:
    if source is None:
        return None
    digest = fingerprint(source)
    return _known_fingerprints().get(digest) if digest else None


def cdk_vended(res: Resource, ctx: Context, handler_source: str | None) -> str | None:
    """Why ``res`` (a Lambda function) is a handler aws-cdk-lib vends, or ``None``.

    ``handler_source`` is the code of the function's handler module (inline code, or the
    module its ``Handler`` names in the staged asset), when there is one.
    """
    path = ctx.stack.construct_path(res.logical_id)
    if _by_marker(path, ctx):
        return "marked by aws-cdk-lib as a handler it vends"
    what = _by_singleton_id(res, path)
    if what is not None:
        return f"aws-cdk-lib's {what} singleton"
    shipped = _by_code(handler_source)
    if shipped is not None:
        return f"aws-cdk-lib's {shipped}"
    return None


def _main() -> None:
    found = installed_tarball()
    if found is None:
        raise SystemExit("aws-cdk-lib is not installed")
    version, tgz = found
    data = {"aws-cdk-lib": version, "handlers": shipped_handler_fingerprints(tgz)}
    _DATA.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"{_DATA}: {len(data['handlers'])} handlers of aws-cdk-lib {version}")


if __name__ == "__main__":
    _main()
