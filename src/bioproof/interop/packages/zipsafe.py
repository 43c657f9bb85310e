"""Bounded reading of a zip archive that came from elsewhere (an evidence package, an instrument
export): member count, member and total sizes and the compression ratio are capped, names that
climb out of the archive (absolute, ``..``, drive letters, backslashes) and links are refused, and
every member is read with a hard cap whatever its header claims (zip bombs stop at the cap).

Pure Python, no Django: ``bioproof verify-package`` uses it offline.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: Uncompressed / compressed beyond this (for members over 1 MiB) is treated as a bomb.
MAX_RATIO = 200
_CHUNK = 1 << 16


class UnsafeArchive(ValueError):
    """The archive is not one we read: the message names the member and the problem."""


@dataclass(frozen=True)
class Limits:
    members: int = MAX_MEMBERS
    member_bytes: int = MAX_MEMBER_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO


DEFAULT_LIMITS = Limits()


def check_name(name: str) -> str:
    """``name`` if it is a plain relative path inside the archive, else :class:`UnsafeArchive`."""
    if not name or len(name) > 400:
        raise UnsafeArchive(f"member name {name[:60]!r}: empty or too long")
    if "\\" in name or "\x00" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"member {name!r}: absolute or non-portable path refused")
    parts = PurePosixPath(name).parts
    if any(p in ("..", ".") for p in parts):
        raise UnsafeArchive(f"member {name!r}: path traversal ('..') refused")
    return name


def _is_link(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return bool(mode) and stat.S_ISLNK(mode)


def infos(archive: zipfile.ZipFile, limits: Limits = DEFAULT_LIMITS) -> list[zipfile.ZipInfo]:
    """The archive's file members after the structural checks (directories left out)."""
    entries = archive.infolist()
    if len(entries) > limits.members:
        raise UnsafeArchive(f"{len(entries)} members: more than the {limits.members} allowed")
    seen: set[str] = set()
    out = []
    declared = 0
    for info in entries:
        check_name(info.filename)
        if info.filename in seen:
            raise UnsafeArchive(f"member {info.filename!r} appears twice")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeArchive(f"member {info.filename!r} is encrypted")
        if _is_link(info):
            raise UnsafeArchive(f"member {info.filename!r} is a symbolic link")
        if info.is_dir():
            continue
        if info.file_size > limits.member_bytes:
            raise UnsafeArchive(
                f"member {info.filename!r}: {info.file_size} bytes, more than the "
                f"{limits.member_bytes} allowed"
            )
        if info.file_size > 1 << 20 and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise UnsafeArchive(
                f"member {info.filename!r}: compression ratio "
                f"{info.file_size // max(info.compress_size, 1)}:1 (a zip bomb?)"
            )
        declared += info.file_size
        if declared > limits.total_bytes:
            raise UnsafeArchive(f"more than {limits.total_bytes} bytes uncompressed in total")
        out.append(info)
    return out


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """The member's bytes, read in chunks and stopped at the cap (headers can lie)."""
    cap = min(limits.member_bytes, info.file_size)
    parts: list[bytes] = []
    got = 0
    try:
        with archive.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                got += len(chunk)
                if got > cap:
                    raise UnsafeArchive(
                        f"member {info.filename!r} inflates beyond its declared "
                        f"{info.file_size} bytes (a zip bomb?)"
                    )
                parts.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, UnsafeArchive):
            raise
        raise UnsafeArchive(f"member {info.filename!r} cannot be read ({exc})") from exc
    return b"".join(parts)


def open_archive(source: str | IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeArchive(f"not a readable zip archive ({exc})") from exc


def read_all(source: str | IO[bytes], limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every file member by name, bounded as above."""
    with open_archive(source) as archive:
        members = infos(archive, limits)
        out: dict[str, bytes] = {}
        total = 0
        for info in members:
            data = read_member(archive, info, limits)
            total += len(data)
            if total > limits.total_bytes:
                raise UnsafeArchive(f"more than {limits.total_bytes} bytes uncompressed in total")
            out[info.filename] = data
        return out
