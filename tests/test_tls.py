"""TLS and SCRAM against a server the suite starts with a self-signed certificate: every
sslmode a careful user picks works, channel binding works, a certificate the client does not
trust is one clear line, and the password never shows up in anything schemactl prints."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from schemactl import metrics
from schemactl.catalog import introspect
from schemactl.devdb.embedded import EmbeddedServer
from tests.support import CliResult, run_cli, write_schema

Capsys = pytest.CaptureFixture[str]
USER = "tls_app"
PASSWORD = "Tls-Sekr1t-9f3c"
DATABASE = "tls_target"

# Only the suite's own superuser may skip TLS and the password; everyone else needs both.
HBA = """\
host      all  postgres  127.0.0.1/32  trust
hostnossl all  all       127.0.0.1/32  reject
hostssl   all  all       127.0.0.1/32  scram-sha-256
"""


@dataclass(frozen=True)
class TlsServer:
    port: int
    certificate: Path  # the server's self-signed certificate: trust it with sslrootcert
    stranger: Path  # a self-signed certificate the server does not use

    def url(
        self,
        dbname: str = DATABASE,
        host: str = "127.0.0.1",
        password: str = PASSWORD,
        **params: str,
    ) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"postgresql://{USER}:{password}@{host}:{self.port}/{dbname}" + (
            f"?{query}" if query else ""
        )


def self_signed(folder: Path, name: str, common_name: str, names: str) -> tuple[Path, Path]:
    """A self-signed certificate and its key, made with the openssl command line tool."""
    key, certificate = folder / f"{name}.key", folder / f"{name}.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(certificate), "-subj", f"/CN={common_name}"]
        + ["-addext", f"subjectAltName={names}"],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return certificate, key


def give_to_server_user(folder: Path) -> None:
    """PostgreSQL runs as ``postgres`` when the suite runs as root, and reads its key itself."""
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam("postgres")
    for path in (folder, *folder.iterdir()):
        os.chown(path, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="module")
def tls() -> Iterator[TlsServer]:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command line tool is needed to make a certificate")
    folder = Path(tempfile.mkdtemp(prefix="schemactl-tls-"))
    try:
        certificate, key = self_signed(folder, "server", "localhost", "DNS:localhost,IP:127.0.0.1")
        stranger, _ = self_signed(folder, "stranger", "localhost", "DNS:localhost,IP:127.0.0.1")
        (folder / "pg_hba.conf").write_text(HBA)
        give_to_server_user(folder)
        settings = {
            "ssl": "on",
            "ssl_cert_file": str(certificate),
            "ssl_key_file": str(key),
            "hba_file": str(folder / "pg_hba.conf"),
            "password_encryption": "scram-sha-256",
        }
        with (
            EmbeddedServer(settings=settings) as server,
            psycopg.connect(server.url, autocommit=True) as admin,
        ):
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                    sql.Identifier(USER), sql.Literal(PASSWORD)
                )
            )
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(DATABASE), sql.Identifier(USER)
                )
            )
            yield TlsServer(server.port, certificate, stranger)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def schemactl(
    capsys: Capsys, command: str, schema: Path, target: str, dev: str, *extra: str
) -> CliResult:
    result = run_cli(
        capsys, command, "--schema", str(schema), "--database-url", target, "--dev-url", dev, *extra
    )
    assert PASSWORD not in result.stdout + result.stderr
    return result


def one_line_error(result: CliResult) -> str:
    assert result.code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and PASSWORD not in result.stdout + result.stderr
    return lines[0]


def test_sslmode_require_with_scram_applies_and_then_has_no_drift(
    tls: TlsServer, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE over_tls (id int PRIMARY KEY, note text);")
    target = tls.url(sslmode="require")
    dev = tls.url("postgres", sslmode="require")
    applied = schemactl(capsys, "apply", schema_dir, target, dev, "--auto-approve")
    assert applied.code == 0, applied.stderr
    assert schemactl(capsys, "drift", schema_dir, target, dev).code == 0
    with psycopg.connect(target) as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert row == (True,)
        assert conn.execute("SELECT to_regclass('public.over_tls') IS NOT NULL").fetchone() == (
            True,
        )


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_verify_full_with_channel_binding_checks_the_certificate_and_binds_scram_to_it(
    tls: TlsServer, schema_dir: Path, capsys: Capsys, host: str
) -> None:
    write_schema(schema_dir, "CREATE TABLE verified (id int);")
    params = {
        "sslmode": "verify-full",
        "sslrootcert": str(tls.certificate),
        "channel_binding": "require",
    }
    target, dev = tls.url(host=host, **params), tls.url("postgres", host=host, **params)
    plan = schemactl(capsys, "plan", schema_dir, target, dev, "--exit-code")
    assert plan.code == 2, plan.stderr
    assert "verified" in plan.stdout


def test_a_certificate_the_client_does_not_trust_is_one_clear_line(
    tls: TlsServer, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    target = tls.url(sslmode="verify-full", sslrootcert=str(tls.stranger))
    line = one_line_error(schemactl(capsys, "plan", schema_dir, target, tls.url("postgres")))
    assert "cannot connect to the target database at 127.0.0.1" in line
    assert "certificate verify failed" in line
    assert "sslrootcert" in line


def test_a_host_name_the_certificate_does_not_name_is_one_clear_line(
    tls: TlsServer, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    target = conninfo.make_conninfo(
        tls.url(sslmode="verify-full", sslrootcert=str(tls.certificate)),
        host="db.example.test",
        hostaddr="127.0.0.1",
    )
    line = one_line_error(schemactl(capsys, "plan", schema_dir, target, tls.url("postgres")))
    assert 'does not match host name "db.example.test"' in line


def test_verify_full_without_a_root_certificate_says_which_file_is_missing(
    tls: TlsServer, schema_dir: Path, capsys: Capsys, tmp_path: Path
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    missing = tmp_path / "nowhere" / "root.crt"
    target = tls.url(sslmode="verify-full", sslrootcert=str(missing))
    line = one_line_error(schemactl(capsys, "plan", schema_dir, target, tls.url("postgres")))
    assert str(missing) in line


def test_a_server_without_tls_is_refused_when_channel_binding_is_required(
    server_url_without_tls: str, schema_dir: Path, capsys: Capsys
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    target = conninfo.make_conninfo(server_url_without_tls, channel_binding="require")
    line = one_line_error(schemactl(capsys, "plan", schema_dir, target, server_url_without_tls))
    assert "channel binding" in line


@pytest.fixture
def server_url_without_tls(database: str) -> str:
    """The suite's ordinary server: no TLS, trust authentication."""
    return database


@pytest.mark.parametrize("spelling", ["url", "keyword", "environment"])
def test_a_wrong_password_over_tls_is_one_line_that_never_shows_a_password(
    tls: TlsServer, schema_dir: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    write_schema(schema_dir, "CREATE TABLE t (id int);")
    wrong = "Wrong-" + PASSWORD
    if spelling == "url":
        target = tls.url(password=wrong, sslmode="require")
    elif spelling == "keyword":
        target = (
            f"host=127.0.0.1 port={tls.port} dbname={DATABASE} user={USER} "
            f"password={wrong} sslmode=require"
        )
    else:
        monkeypatch.setenv("PGPASSWORD", wrong)
        target = f"postgresql://{USER}@127.0.0.1:{tls.port}/{DATABASE}?sslmode=require"
    result = schemactl(capsys, "apply", schema_dir, target, tls.url("postgres"), "--auto-approve")
    line = one_line_error(result)
    assert wrong not in result.stdout + result.stderr
    assert "password authentication failed" in line


def test_a_large_catalog_is_read_on_a_second_connection_with_the_same_tls_and_password(
    tls: TlsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("schemactl.catalog.second_connection.WORTH_IT_RELATIONS", 0)
    recorder = metrics.enable()
    try:
        with psycopg.connect(
            tls.url(sslmode="verify-ca", sslrootcert=str(tls.certificate))
        ) as conn:
            conn.autocommit = True
            introspect(conn)
    finally:
        metrics.disable()
    assert recorder.counts["second_connection_answers"] > 0
