"""Backup and restore of the whole system: the database and the uploaded files in one archive.

An archive (format 1) is a gzip-compressed tar stream holding, in this order:

``manifest.json``
    format version, treem version, database vendor, when it was made, the applied migrations,
    per table its row count and data checksum (``table_digests``), the database file's and every
    upload's size and SHA-256.
``database.pgdump`` (PostgreSQL)
    ``pg_dump --format=custom`` taken in the same snapshot as the checksums.
``database.sqlite3`` (SQLite)
    a copy made with SQLite's online backup API, in the same read transaction as the checksums.
``uploads/…``
    every regular file under ``MEDIA_ROOT``.

With a passphrase the whole stream is encrypted (``_EncryptingWriter``): a key derived with scrypt
from the passphrase and a random salt, then AES-256-GCM over 1 MiB chunks. Each chunk's nonce is
its number plus a flag marking the last chunk, and every chunk is authenticated with the header,
so a wrong key, a changed byte, reordered, missing or added chunks and a cut-off end are all
refused. A plain archive relies on gzip's CRC and the manifest's SHA-256s instead.

Restoring unpacks and checks the whole archive into a staging folder first; only then is the
database replaced (PostgreSQL: one transaction; SQLite: the backup API into the live connection,
also all-or-nothing) and the uploads folder swapped, so a bad archive changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.files import open_private, private_folder

FORMAT = "treem-backup"
FORMAT_VERSION = 1
MANIFEST_MEMBER = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
VENDOR_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
UPLOADS_PREFIX = "uploads/"
COPY_CHUNK = 1 << 20
MAX_MANIFEST_BYTES = 64 << 20

# --- Encryption ----------------------------------------------------------------------------------
MAGIC = b"TREEMBK1"
# magic, KDF (1 = scrypt), log2 of scrypt's N, r, p, plaintext chunk size, salt
_HEADER = struct.Struct(">8sBBBBI16s")
_KDF_SCRYPT = 1
# scrypt at N=2^17, r=8: 128 MiB and about half a second per archive, OWASP's recommendation.
_SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P = 17, 8, 1
_CHUNK_SIZE = 1 << 20
_TAG_SIZE = 16
_FLAG_CHUNK, _FLAG_LAST, _FLAG_KEY_CHECK = 0, 1, 2


class BackupError(Exception):
    """A backup or restore refused with a message for the operator; nothing was changed."""


def _nonce(counter: int, flag: int) -> bytes:
    return counter.to_bytes(11, "big") + bytes([flag])


def _derive_key(passphrase: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=1 << log2_n, r=r, p=p).derive(passphrase)


class _EncryptingWriter(io.RawIOBase):
    """Writes the encrypted container to ``sink``; ``finish()`` seals it with the last chunk."""

    def __init__(self, sink: BinaryIO, passphrase: bytes) -> None:
        super().__init__()
        salt = os.urandom(16)
        self._header = _HEADER.pack(
            MAGIC, _KDF_SCRYPT, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P, _CHUNK_SIZE, salt
        )
        self._aead = AESGCM(_derive_key(passphrase, salt, _SCRYPT_LOG2_N, _SCRYPT_R, _SCRYPT_P))
        self._sink = sink
        self._buffer = bytearray()
        self._counter = 0
        sink.write(self._header)
        # Lets a reader tell a wrong key from a damaged chunk.
        sink.write(self._aead.encrypt(_nonce(0, _FLAG_KEY_CHECK), b"", self._header))

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data)
        self._buffer += view
        # Keep at least one byte back: the last chunk must carry the "last" flag.
        while len(self._buffer) > _CHUNK_SIZE:
            self._emit(bytes(self._buffer[:_CHUNK_SIZE]), last=False)
            del self._buffer[:_CHUNK_SIZE]
        return view.nbytes

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        flag = _FLAG_LAST if last else _FLAG_CHUNK
        self._sink.write(self._aead.encrypt(_nonce(self._counter, flag), plain, self._header))
        self._counter += 1


class _DecryptingReader(io.RawIOBase):
    """Reads the plaintext of an encrypted container, refusing any chunk that fails to authenticate."""

    def __init__(self, source: BinaryIO, passphrase: bytes) -> None:
        super().__init__()
        header = source.read(_HEADER.size)
        check = source.read(_TAG_SIZE)
        if len(header) < _HEADER.size or len(check) < _TAG_SIZE:
            raise BackupError(_("The archive is truncated: its encryption header is incomplete."))
        magic, kdf, log2_n, r, p, chunk_size, salt = _HEADER.unpack(header)
        # Bounds, so that a forged header cannot make the key derivation eat the machine.
        if (
            magic != MAGIC
            or kdf != _KDF_SCRYPT
            or not (10 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16)
            or not (1024 <= chunk_size <= 64 << 20)
        ):
            raise BackupError(_("The archive's encryption header is damaged or of an unknown kind."))
        self._aead = AESGCM(_derive_key(passphrase, salt, log2_n, r, p))
        self._header = header
        try:
            self._aead.decrypt(_nonce(0, _FLAG_KEY_CHECK), check, header)
        except InvalidTag:
            raise BackupError(
                _("Wrong key: the passphrase or key file given does not open this archive.")
            ) from None
        self._source = source
        self._record = chunk_size + _TAG_SIZE
        self._pending = source.read(self._record)
        self._counter = 0
        self._plain = b""
        self._offset = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._offset >= len(self._plain) and not self.done:
            self._next_chunk()
        count = min(len(buffer), len(self._plain) - self._offset)
        buffer[:count] = self._plain[self._offset : self._offset + count]
        self._offset += count
        return count

    def _next_chunk(self) -> None:
        current = self._pending
        if not current:
            raise BackupError(_("The archive is truncated: its end is missing."))
        self._pending = self._source.read(self._record)
        last = not self._pending
        flag = _FLAG_LAST if last else _FLAG_CHUNK
        try:
            self._plain = self._aead.decrypt(_nonce(self._counter, flag), current, self._header)
        except InvalidTag:
            raise BackupError(
                _("The archive is damaged or truncated: encrypted block %(number)s does not authenticate.")
                % {"number": self._counter + 1}
            ) from None
        self._offset = 0
        self._counter += 1
        self.done = last


def passphrase_load(key_file: str | os.PathLike | None = None) -> bytes | None:
    """The backup passphrase: the key file's content if given, else TREEM_BACKUP_KEY, else None."""
    if key_file:
        try:
            secret = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise BackupError(
                _("Cannot read the key file %(file)s: %(error)s") % {"file": key_file, "error": exc.strerror}
            ) from exc
        if not secret:
            raise BackupError(_("The key file %(file)s is empty.") % {"file": key_file})
        return secret
    secret = getattr(settings, "TREEM_BACKUP_KEY", "")
    return secret.encode("utf-8") if secret else None


# --- Table checksums ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


# PostgreSQL type OIDs of text columns: ordered with the "C" collation so that the order (and so
# the checksum) does not depend on the server's locale.
_PG_TEXT_TYPES = {19, 25, 1042, 1043}


def _digest_query(connection: BaseDatabaseWrapper, cursor, table: str) -> tuple[str, list[str]]:
    qn = connection.ops.quote_name
    description = connection.introspection.get_table_description(cursor, table)
    columns = sorted(info.name for info in description)
    types = {info.name: info.type_code for info in description}
    keys = connection.introspection.get_primary_key_columns(cursor, table) or []
    if connection.vendor == "postgresql":
        # A row literal is unambiguous (quoting, NULL) and identical for identical data.
        row = "ROW({})::text".format(", ".join(qn(c) for c in columns))
        order = [qn(k) + (' COLLATE "C"' if types.get(k) in _PG_TEXT_TYPES else "") for k in keys]
        order = order or ['1 COLLATE "C"']
    elif connection.vendor == "sqlite":
        # quote() renders every value as an SQL literal: text, numbers, blobs and NULL apart.
        row = " || ',' || ".join(f"quote({qn(c)})" for c in columns)
        order = [qn(k) for k in keys] or ["1"]
    else:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    sql = f"SELECT {row} FROM {qn(table)} ORDER BY {', '.join(order)}"  # noqa: S608 - quoted names
    return sql, columns


def table_digests(connection: BaseDatabaseWrapper | None = None) -> dict[str, TableDigest]:
    """Row count and SHA-256 of every table's data, over its rows ordered by primary key.

    The same data gives the same digest, on the same kind of database, whatever the server's
    locale. Used to write a backup's manifest, to verify a restore, and by the tests.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    result: dict[str, TableDigest] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fix every setting that changes how values print (TimeZone is UTC, set by Django).
            cursor.execute(
                "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
                "SET extra_float_digits = 1; SET bytea_output = 'hex'"
            )
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        queries = {table: _digest_query(connection, cursor, table) for table in sorted(tables)}
    for table, (sql, columns) in queries.items():
        digest = hashlib.sha256(("\x1f".join(columns) + "\n").encode())
        rows = 0
        # A server-side cursor on PostgreSQL: a large table never sits in memory whole.
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(sql)
            while batch := cursor.fetchmany(2000):
                rows += len(batch)
                for (text,) in batch:
                    digest.update(text.encode("utf-8", "surrogatepass"))
                    digest.update(b"\n")
        finally:
            cursor.close()
        result[table] = TableDigest(rows=rows, sha256=digest.hexdigest())
    return result


# --- Helpers ------------------------------------------------------------------------------------
def _sha256_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(COPY_CHUNK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


class _HashingReader:
    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        block = self._fh.read(size)
        self.digest.update(block)
        return block


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT).absolute()


def _upload_files(root: Path) -> list[tuple[str, Path]]:
    """(relative POSIX path, absolute path) of every regular file under the uploads folder."""
    found = []
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    return found


def _safe_relative(name: Any) -> bool:
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in path.parts)


def _pg_command(connection: BaseDatabaseWrapper, program: str, *options: str) -> tuple[list[str], dict]:
    """Command line and environment for a PostgreSQL client program, from the Django connection."""
    args, env = PostgresClient.settings_to_cmd_args_env(connection.settings_dict, [])
    environment = {**os.environ, **(env or {}), "PGAPPNAME": "treem-backup"}
    return [_pg_executable(program), *options, *args[1:]], environment


def _pg_executable(program: str) -> str:
    """The program in TREEM_POSTGRES_BIN_DIR if set, else on the PATH."""
    bin_dir = getattr(settings, "TREEM_POSTGRES_BIN_DIR", "")
    return str(Path(bin_dir) / program) if bin_dir else shutil.which(program) or program


def _run(command: list[str], env: dict | None = None) -> str:
    """Run a PostgreSQL client program; its output, or a BackupError with its message."""
    try:
        completed = subprocess.run(command, env=env, capture_output=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(program)s was not found: install the PostgreSQL client programs of the server's version.")
            % {"program": command[0]}
        ) from exc
    if completed.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {
                "program": Path(command[0]).name,
                "error": completed.stderr.decode(errors="replace").strip()[-2000:],
            }
        )
    return completed.stdout.decode("utf-8", errors="replace")


def _applied_migrations(connection: BaseDatabaseWrapper) -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _treem_version() -> str:
    try:
        return metadata.version("treem")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- Backup -------------------------------------------------------------------------------------
@dataclass
class BackupSummary:
    path: Path
    size: int
    encrypted: bool
    tables: int
    rows: int
    uploads: int
    manifest: dict = field(repr=False)


def _dump_postgresql(connection: BaseDatabaseWrapper, out: Path) -> tuple[dict, list]:
    # One snapshot for the dump and the checksums: pg_dump joins the transaction's exported
    # snapshot, so the manifest describes exactly the data in the dump while writers carry on.
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        command, env = _pg_command(
            connection, "pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={out}"
        )
        _run(command, env)
        return table_digests(connection), _applied_migrations(connection)


def _dump_sqlite(connection: BaseDatabaseWrapper, out: Path) -> tuple[dict, list]:
    # A deferred read transaction holds one snapshot for the copy and the checksums (the backup
    # API reads through the open transaction); in WAL mode writers are not blocked meanwhile.
    # The copy comes first: after the introspection queries SQLite's backup step waits forever.
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute("SELECT count(*) FROM sqlite_master")
            copy = sqlite3.connect(out)
            try:
                raw.backup(copy)
                # One self-contained file, whatever the journal mode of the live database.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
            digests = table_digests(connection)
            migrations = _applied_migrations(connection)
        finally:
            cursor.execute("COMMIT")
    return digests, migrations


def _tar_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path, size: int, sha256: str) -> None:
    try:
        with path.open("rb") as fh:
            reader = _HashingReader(fh)
            tar.addfile(_tar_info(name, size, path.stat().st_mtime), reader)
    except OSError as exc:
        raise BackupError(
            _("%(file)s changed or vanished while it was being backed up (%(error)s): run the backup again.")
            % {"file": path, "error": exc}
        ) from exc
    if reader.digest.hexdigest() != sha256:
        raise BackupError(
            _("%(file)s changed while it was being backed up: run the backup again.") % {"file": path}
        )


def backup_create(path: str | os.PathLike, *, passphrase: bytes | None = None) -> BackupSummary:
    """Write the database and the uploads to one archive at ``path`` (atomically: temp + rename)."""
    connection = connections[DEFAULT_DB_ALIAS]
    target = Path(path).absolute()
    media_root = _media_root()
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    if not target.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.") % {"folder": target.parent})
    if target.is_dir():
        raise BackupError(_("%(path)s is a folder: name the archive file to write.") % {"path": target})
    if target.is_relative_to(media_root):
        raise BackupError(
            _("Write the backup outside the uploads folder %(folder)s.") % {"folder": media_root}
        )
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot run inside a database transaction."))

    with tempfile.TemporaryDirectory(prefix=".treem-backup-", dir=target.parent) as work:
        database_member = DATABASE_MEMBERS[connection.vendor]
        database_file = Path(work) / database_member
        if connection.vendor == "postgresql":
            digests, migrations = _dump_postgresql(connection, database_file)
        else:
            digests, migrations = _dump_sqlite(connection, database_file)
        database_size, database_sha = _sha256_file(database_file)
        uploads = []
        for relative, upload in _upload_files(media_root):
            try:
                size, sha = _sha256_file(upload)
            except FileNotFoundError:
                continue  # removed since the listing (a finished job's temporary file): not backed up
            uploads.append({"path": relative, "size": size, "sha256": sha, "_file": upload})
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "treem_version": _treem_version(),
            "vendor": connection.vendor,
            "created_at": timezone.now().isoformat(),
            "database": {"file": database_member, "size": database_size, "sha256": database_sha},
            "migrations": migrations,
            "tables": {name: {"rows": d.rows, "sha256": d.sha256} for name, d in digests.items()},
            "uploads": [{k: v for k, v in u.items() if k != "_file"} for u in uploads],
        }
        manifest_bytes = json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8")

        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                os.fchmod(out.fileno(), 0o600)  # backups hold personal data
                writer = _EncryptingWriter(out, passphrase) if passphrase else None
                gz = gzip.GzipFile(fileobj=writer or out, mode="wb", compresslevel=1, mtime=0)
                with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    tar.addfile(
                        _tar_info(MANIFEST_MEMBER, len(manifest_bytes), timezone.now().timestamp()),
                        io.BytesIO(manifest_bytes),
                    )
                    _add_file(tar, database_member, database_file, database_size, database_sha)
                    for upload in uploads:
                        name = UPLOADS_PREFIX + upload["path"]
                        _add_file(tar, name, upload["_file"], upload["size"], upload["sha256"])
                gz.close()
                if writer:
                    writer.finish()
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return BackupSummary(
        path=target,
        size=target.stat().st_size,
        encrypted=bool(passphrase),
        tables=len(digests),
        rows=sum(d.rows for d in digests.values()),
        uploads=len(uploads),
        manifest=manifest,
    )


# --- Reading an archive ------------------------------------------------------------------------
def _manifest_check(manifest: Any) -> dict:
    """The manifest, checked for shape; a BackupError for anything else."""
    problem = _("The archive's manifest is not a treem backup manifest.")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(problem)
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise BackupError(problem)
    if version > FORMAT_VERSION:
        raise BackupError(
            _(
                "The archive has format version %(version)s; this treem reads up to %(supported)s: "
                "upgrade treem."
            )
            % {"version": version, "supported": FORMAT_VERSION}
        )
    vendor = manifest.get("vendor")
    database = manifest.get("database")
    tables = manifest.get("tables")
    uploads = manifest.get("uploads")
    migrations = manifest.get("migrations")
    shaped = (
        vendor in DATABASE_MEMBERS
        and isinstance(database, dict)
        and database.get("file") == DATABASE_MEMBERS[vendor]
        and isinstance(database.get("size"), int)
        and isinstance(database.get("sha256"), str)
        and isinstance(tables, dict)
        and all(
            isinstance(t, dict) and isinstance(t.get("rows"), int) and isinstance(t.get("sha256"), str)
            for t in tables.values()
        )
        and isinstance(uploads, list)
        and all(
            isinstance(u, dict)
            and _safe_relative(u.get("path"))
            and isinstance(u.get("size"), int)
            and isinstance(u.get("sha256"), str)
            for u in uploads
        )
        and len({u["path"] for u in uploads}) == len(uploads)
        and isinstance(migrations, list)
        and all(
            isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m) for m in migrations
        )
    )
    if not shaped:
        raise BackupError(problem)
    return manifest


def _open_stream(raw: BinaryIO, passphrase: bytes | None) -> tuple[BinaryIO, _DecryptingReader | None]:
    start = raw.read(len(MAGIC))
    raw.seek(0)
    if start == MAGIC:
        if not passphrase:
            raise BackupError(
                _("The archive is encrypted: give its passphrase in TREEM_BACKUP_KEY or with --key-file.")
            )
        reader = _DecryptingReader(raw, passphrase)
        return io.BufferedReader(reader, COPY_CHUNK), reader
    if start[:2] == b"\x1f\x8b":
        return raw, None
    raise BackupError(_("This file is not a treem backup archive."))


@dataclass
class StagedArchive:
    """An archive unpacked and checked in a staging folder, ready to be restored."""

    manifest: dict
    folder: Path
    database_file: Path
    uploads_folder: Path
    encrypted: bool


def _extract_member(tar: tarfile.TarFile, member: tarfile.TarInfo, folder: Path, sha256: str) -> None:
    source = tar.extractfile(member)
    digest = hashlib.sha256()
    dest = folder / member.name
    # The staged uploads become the uploads folder: private files (0600 in 0700) like the originals.
    private_folder(dest.parent, base=folder)
    with open_private(dest) as out:
        while block := source.read(COPY_CHUNK):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != sha256:
        raise BackupError(
            _("The archive is damaged: %(member)s does not match its checksum.") % {"member": member.name}
        )


@contextlib.contextmanager
def archive_stage(
    path: str | os.PathLike,
    *,
    passphrase: bytes | None,
    staging_parent: Path,
    on_manifest: Callable[[dict], None] | None = None,
) -> Iterator[StagedArchive]:
    """Unpack and check a whole archive into a staging folder (removed afterwards).

    ``on_manifest`` runs as soon as the manifest is read (before the large members), so that an
    archive of the wrong kind is refused at once. Any damage raises BackupError.
    """
    source = Path(path)
    if not source.is_file():
        raise BackupError(_("No archive at %(path)s.") % {"path": source})
    staging_parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".treem-restore-", dir=staging_parent))
    try:
        with source.open("rb") as raw:
            stream, decrypting = _open_stream(raw, passphrase)
            try:
                manifest = _read_members(stream, folder, on_manifest)
            except BackupError:
                raise
            except (
                tarfile.TarError,
                EOFError,
                zlib.error,
                gzip.BadGzipFile,
                UnicodeError,
                ValueError,
            ) as exc:
                raise BackupError(
                    _("The archive is damaged or truncated (%(error)s).")
                    % {"error": str(exc) or type(exc).__name__}
                ) from exc
            if decrypting and (not decrypting.done or raw.read(1)):
                raise BackupError(_("The archive is damaged: data follows its end."))
        yield StagedArchive(
            manifest=manifest,
            folder=folder,
            database_file=folder / manifest["database"]["file"],
            uploads_folder=folder / "uploads",
            encrypted=decrypting is not None,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _read_members(stream: BinaryIO, folder: Path, on_manifest: Callable[[dict], None] | None) -> dict:
    with (
        gzip.GzipFile(fileobj=stream, mode="rb") as gz,
        tarfile.open(fileobj=gz, mode="r|") as tar,
    ):
        return _read_tar(gz, tar, folder, on_manifest)


def _read_tar(
    gz: gzip.GzipFile, tar: tarfile.TarFile, folder: Path, on_manifest: Callable[[dict], None] | None
) -> dict:
    member = tar.next()
    if member is None or member.name != MANIFEST_MEMBER or not member.isfile():
        raise BackupError(_("This file is not a treem backup archive (it has no manifest)."))
    if member.size > MAX_MANIFEST_BYTES:
        raise BackupError(_("The archive's manifest is not a treem backup manifest."))
    manifest = _manifest_check(json.loads(tar.extractfile(member).read().decode("utf-8")))
    if on_manifest:
        on_manifest(manifest)
    expected = {manifest["database"]["file"]: (manifest["database"]["size"], manifest["database"]["sha256"])}
    for upload in manifest["uploads"]:
        expected[UPLOADS_PREFIX + upload["path"]] = (upload["size"], upload["sha256"])
    seen = set()
    while (member := tar.next()) is not None:
        if member.name not in expected or member.name in seen or not member.isfile():
            raise BackupError(
                _("The archive is damaged: it holds %(member)s, which its manifest does not list.")
                % {"member": member.name}
            )
        size, sha256 = expected[member.name]
        if member.size != size:
            raise BackupError(
                _("The archive is damaged: %(member)s does not have the size its manifest gives.")
                % {"member": member.name}
            )
        _extract_member(tar, member, folder, sha256)
        os.utime(folder / member.name, (member.mtime, member.mtime))
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _("The archive is truncated: %(members)s missing.") % {"members": ", ".join(missing[:5])}
        )
    # Read to the very end: gzip checks its CRC and length there, the decryption its last chunk.
    while gz.read(COPY_CHUNK):
        pass
    return manifest


# --- Restore -------------------------------------------------------------------------------------
@dataclass
class RestorePlan:
    """What a restore will do, shown to the operator before anything changes."""

    manifest: dict
    database: str
    uploads_folder: Path
    migrate: bool
    encrypted: bool = False

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


@dataclass
class RestoreReport:
    plan: RestorePlan
    tables: int = 0
    rows: int = 0
    uploads: int = 0
    mismatches: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)


def _compatibility(manifest: dict, connection: BaseDatabaseWrapper) -> bool:
    """Refuse an archive of another vendor or of a newer treem; True if it is older (needs migrate)."""
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            _(
                "This archive holds a %(archive)s database, but this treem uses %(current)s: restore it "
                "on a treem configured for %(archive)s."
            )
            % {"archive": VENDOR_NAMES[manifest["vendor"]], "current": VENDOR_NAMES[connection.vendor]}
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.graph.nodes)
    for replaced in loader.replacements.values():
        known.update(replaced.replaces)
    archived = {tuple(m) for m in manifest["migrations"]}
    unknown = sorted(m for m in archived if m[0] in loader.migrated_apps and m not in known)
    if unknown:
        raise BackupError(
            _(
                "This archive was made by a newer treem (%(version)s): its database has migrations this "
                "version does not know (%(migrations)s). Upgrade treem first."
            )
            % {
                "version": manifest.get("treem_version", "?"),
                "migrations": ", ".join(f"{app}.{name}" for app, name in unknown[:5]),
            }
        )
    return any(node not in archived for node in loader.graph.nodes)


def _database_label(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        return f"{settings_dict.get('NAME')} @ {settings_dict.get('HOST') or 'localhost'}"
    return str(connection.settings_dict.get("NAME"))


# Run in one psql transaction before the dump's script: the restored database holds exactly the
# archive's objects. Objects of extensions (pg_trgm) stay; the dump re-creates them "IF NOT EXISTS".
_PG_DROP_ALL = """
DO $treem$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass::text AS name,
               CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                   WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
        FROM pg_catalog.pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace
          AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          -- objects of extensions stay; owned sequences and partitions go with their table
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND (d.deptype = 'e' OR (d.deptype IN ('a', 'i')
                                                     AND d.refclassid = 'pg_class'::regclass)))
        ORDER BY c.relkind IN ('v', 'm') DESC
    LOOP
        EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure::text AS name
        FROM pg_catalog.pg_proc p
        WHERE p.pronamespace = current_schema()::regnamespace
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.name);
    END LOOP;
    FOR item IN
        SELECT t.oid::regtype::text AS name
        FROM pg_catalog.pg_type t
        WHERE t.typnamespace = current_schema()::regnamespace
          AND t.typtype IN ('d', 'e', 'r', 'm', 'c')
          AND (t.typtype <> 'c'
               OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', item.name);
    END LOOP;
END
$treem$;
"""


def _restore_postgresql(connection: BaseDatabaseWrapper, dump: Path, work: Path) -> None:
    """Replace the database with the dump in ONE transaction: any failure leaves it as it was."""
    pg_restore = _pg_executable("pg_restore")
    listing = work / "restore.list"
    # Leave out comments on extensions: only their owner (a superuser) may set them.
    completed = _run([pg_restore, "--list", str(dump)])
    kept = [line for line in completed.splitlines() if " COMMENT - EXTENSION " not in line]
    listing.write_text("\n".join(kept) + "\n", encoding="utf-8")
    psql, env = _pg_command(connection, "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password")
    errors_restore = work / "pg_restore.err"
    errors_psql = work / "psql.err"
    with errors_restore.open("wb") as err_restore, errors_psql.open("wb") as err_psql:
        try:
            producer = subprocess.Popen(  # noqa: S603
                [pg_restore, "--no-owner", "--no-privileges", f"--use-list={listing}", "--file=-", str(dump)],
                stdout=subprocess.PIPE,
                stderr=err_restore,
            )
            consumer = subprocess.Popen(  # noqa: S603
                psql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err_psql, env=env
            )
        except FileNotFoundError as exc:
            raise BackupError(
                _(
                    "%(program)s was not found: install the PostgreSQL client programs of the server's "
                    "version."
                )
                % {"program": exc.filename}
            ) from exc
        # psql gets BEGIN, the drops, the script and, only if pg_restore wrote all of it, COMMIT.
        # Without the COMMIT psql ends and the server rolls everything back.
        complete = False
        try:
            consumer.stdin.write(b"BEGIN;\nSET lock_timeout = '60s';\n" + _PG_DROP_ALL.encode())
            while block := producer.stdout.read(COPY_CHUNK):
                consumer.stdin.write(block)
            complete = producer.wait() == 0
            if complete:
                consumer.stdin.write(b"\nCOMMIT;\n")
        except BrokenPipeError:
            complete = False
        finally:
            with contextlib.suppress(BrokenPipeError):
                consumer.stdin.close()
            if producer.poll() is None:
                producer.kill()
            producer.wait()
            consumer.wait()
    if not complete or consumer.returncode != 0:
        message = (errors_psql.read_bytes() + errors_restore.read_bytes()).decode(errors="replace").strip()
        raise BackupError(
            _("The database restore failed and was rolled back; nothing was changed: %(error)s")
            % {"error": message[-2000:] or _("pg_restore or psql stopped")}
        )


def _restore_sqlite(connection: BaseDatabaseWrapper, copy: Path) -> None:
    """Copy the archive's database into the live one with the backup API (all or nothing)."""
    source = sqlite3.connect(f"file:{quote(str(copy))}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.Error as exc:
        raise BackupError(
            _("The database restore failed; nothing was changed: %(error)s") % {"error": exc}
        ) from exc
    finally:
        source.close()


def _swap_uploads(staged: Path, media_root: Path, work: Path) -> None:
    """Make the uploads folder hold exactly the archive's files."""
    private_folder(staged, base=staged.parent)
    previous = work / "previous-uploads"
    if media_root.exists():
        try:
            os.rename(media_root, previous)
        except OSError:
            # A mount point cannot be renamed: swap its content instead.
            previous.mkdir()
            for entry in media_root.iterdir():
                shutil.move(str(entry), str(previous / entry.name))
            for entry in staged.iterdir():
                shutil.move(str(entry), str(media_root / entry.name))
            return
    media_root.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged, media_root)
    except OSError:
        if previous.exists():
            os.rename(previous, media_root)
        raise


def restore_verify(manifest: dict, connection: BaseDatabaseWrapper | None = None) -> tuple[int, list[str]]:
    """Compare every table's row count and checksum with the manifest: (rows, mismatches)."""
    now = table_digests(connection)
    expected = manifest["tables"]
    mismatches = []
    for table in sorted(set(expected) | set(now)):
        if table not in now:
            mismatches.append(_("%(table)s: missing after the restore") % {"table": table})
        elif table not in expected:
            mismatches.append(_("%(table)s: present but not in the archive") % {"table": table})
        elif now[table].rows != expected[table]["rows"]:
            mismatches.append(
                _("%(table)s: %(found)s rows, the archive had %(expected)s")
                % {"table": table, "found": now[table].rows, "expected": expected[table]["rows"]}
            )
        elif now[table].sha256 != expected[table]["sha256"]:
            mismatches.append(_("%(table)s: the data differs from the archive's") % {"table": table})
    return sum(d.rows for d in now.values()), mismatches


def backup_restore(
    path: str | os.PathLike,
    *,
    passphrase: bytes | None = None,
    confirm: Callable[[RestorePlan], bool] = lambda plan: True,
    check_only: bool = False,
) -> RestoreReport:
    """Replace the database and the uploads with an archive's, then verify them against its manifest.

    The archive is unpacked and checked whole first; a wrong key, damage, another vendor, a newer
    treem or a refused confirmation raise BackupError with nothing changed. An archive older than
    the code is migrated after the verification. ``check_only`` stops after the checks.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(_("Backups support PostgreSQL and SQLite only."))
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError(_("A restore cannot run inside a database transaction."))
    media_root = _media_root()
    plan: RestorePlan | None = None

    def check(manifest: dict) -> None:
        nonlocal plan
        older = _compatibility(manifest, connection)
        plan = RestorePlan(manifest, _database_label(connection), media_root, migrate=older)

    with contextlib.ExitStack() as stack:
        try:
            staged = stack.enter_context(
                archive_stage(
                    path, passphrase=passphrase, staging_parent=media_root.parent, on_manifest=check
                )
            )
            plan.encrypted = staged.encrypted
            report = RestoreReport(plan=plan)
            if check_only:
                report.tables = len(staged.manifest["tables"])
                report.rows = plan.rows
                report.uploads = len(staged.manifest["uploads"])
                return report
            if not confirm(plan):
                raise BackupError(_("Restore cancelled."))
        except BackupError as exc:
            raise BackupError(f"{exc} {_('Nothing was changed.')}") from exc
        if connection.vendor == "postgresql":
            _restore_postgresql(connection, staged.database_file, staged.folder)
            # A fresh session: nothing cached from the replaced database.
            connection.close()
        else:
            _restore_sqlite(connection, staged.database_file)
        ContentType.objects.clear_cache()
        _swap_uploads(staged.uploads_folder, media_root, staged.folder)
        report.uploads = len(staged.manifest["uploads"])
        report.rows, report.mismatches = restore_verify(staged.manifest, connection)
        report.tables = len(staged.manifest["tables"])
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
        report.migrated = [f"{migration.app_label}.{migration.name}" for migration, _backwards in pending]
    return report


def created_at_label(manifest: dict) -> str:
    """The archive's creation time in local time, dd/mm/yyyy HH:MM."""
    try:
        moment = dt.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        return "?"
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
