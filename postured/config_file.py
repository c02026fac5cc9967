"""Reading the config file without hanging or running out of memory, and checking its size.

Only a regular file is read: a FIFO would block the reader until some writer comes, and
/dev/zero never ends. The file is opened non-blocking and checked with fstat before a byte
is read, and at most MAX_BYTES are read. Before tomllib sees the text, ``prescan`` refuses
nesting and dotted keys deep enough to make the parser recurse or take minutes.
Its errors are ConfigError, worded like every other config message.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from postured.config_errors import ConfigError
from postured.i18n import N_, _, ngettext

# The example config is about 4 KB, and 100 custom exercises about 60 KB: more is a mistake
# (a log file saved over it), and parsing it would keep `postured reload` from answering.
MAX_BYTES = 256_000
# The deepest real setting is schedule.overrides.mon.hours[0]: 5 levels.
MAX_DEPTH = 20
MAX_KEY_PARTS = 20

_KINDS = {stat.S_IFIFO: N_("is a named pipe (FIFO), not a regular file; the config must be a plain text file"),
          stat.S_IFCHR: N_("is a character device, not a regular file; the config must be a plain text file"),
          stat.S_IFBLK: N_("is a block device, not a regular file; the config must be a plain text file"),
          stat.S_IFDIR: N_("is a folder, not a regular file; the config must be a plain text file"),
          stat.S_IFSOCK: N_("is a socket, not a regular file; the config must be a plain text file")}
_NOT_REGULAR = N_("is not a regular file; the config must be a plain text file")


def read_config(path: Path, required: bool) -> str | None:
    """The file's text (a UTF-8 BOM dropped); None when it does not exist and is not ``required``.

    Raises ConfigError naming the path for anything that is not a readable regular
    UTF-8 file of at most MAX_BYTES.
    """
    try:
        _refuse_special(path, os.stat(path).st_mode)  # a FIFO is refused before it is opened
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if os.path.lexists(path):
            raise ConfigError(f"{path}: " + _("is a symbolic link to {target}, which does not exist").format(
                target=os.readlink(path))) from None
        if required:
            raise ConfigError(f"{path}: " + _("does not exist; create it with `postured --config {path} config init` "
                                              "or name another file").format(path=path)) from None
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"{path}: " + _("is a loop of symbolic links that never reaches a file")) from None
        raise ConfigError(f"{path}: " + _("cannot read: {reason}").format(reason=exc.strerror)) from None
    try:
        info = os.fstat(fd)
        _refuse_special(path, info.st_mode)  # it may have been swapped since the stat
        _refuse_size(path, info.st_size)
        data = _read_at_most(fd, MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: " + _("cannot read: {reason}").format(reason=exc.strerror)) from None
    finally:
        os.close(fd)
    _refuse_size(path, len(data))  # it grew while we read
    try:
        return data.decode("utf-8-sig")  # Notepad's byte-order mark is not an error
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: " + _("not UTF-8 text (byte {byte}); save the file as UTF-8").format(
            byte=exc.start)) from None


def _refuse_special(path: Path, mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise ConfigError(f"{path}: " + _(_KINDS.get(stat.S_IFMT(mode), _NOT_REGULAR)))


def _refuse_size(path: Path | str, size: int) -> None:
    if size > MAX_BYTES:
        raise ConfigError(f"{path}: " + _("is {size}; a config file may have at most {most} (the example is about "
                                          "4 KB)").format(size=_size(size), most=_size(MAX_BYTES)))


def _size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size // 1000} KB" if size >= 10_000 else ngettext("{count} byte", "{count} bytes", size).format(count=size)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while total < limit:
        chunk = os.read(fd, min(65536, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------- before tomllib

# Strings and comments (whose brackets and dots do not count), then the characters that do.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|' r"'''(?:[^']|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|' r"'[^'\n]*'|" r"#[^\n]*|([\[{])|([\]}])|(\.)|([,=\n])",
    re.S,
)


def prescan(text: str, source: str) -> None:
    """Refuse text too large, too deeply nested or with too long dotted keys, in one linear pass.

    tomllib recurses once per nesting level (RecursionError past ~1000) and its cost grows
    with the square of a dotted key's parts (100 000 parts took minutes and gigabytes).
    """
    _refuse_size(source, len(text))
    depth = dots = 0
    for token in _TOKENS.finditer(text):
        opening, closing, dot, separator = token.groups()
        if opening:
            depth, dots = depth + 1, 0
            if depth > MAX_DEPTH:
                raise ConfigError(f"{source}: line {_line(text, token)}: " + _(
                    "nested more than {most} levels deep; no setting needs that").format(most=MAX_DEPTH))
        elif closing:
            depth, dots = max(depth - 1, 0), 0
        elif dot:
            dots += 1
            if dots >= MAX_KEY_PARTS:
                raise ConfigError(f"{source}: line {_line(text, token)}: " + _(
                    "a dotted key of more than {most} parts; no setting needs that").format(most=MAX_KEY_PARTS))
        elif separator or token.group().startswith("#"):
            dots = 0


def _line(text: str, token: re.Match) -> int:
    return text.count("\n", 0, token.start()) + 1
