"""The whole migration lifecycle on a copy of the example schema: successive edits become
migration files, which apply, verify, notice a hand edit, roll back and report their status."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support import Server, catalog_of, run_cli

Capsys = pytest.CaptureFixture[str]
EXAMPLE = Path(__file__).resolve().parents[1] / "schema"

COUPONS = """
CREATE TABLE coupons (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       varchar(40) NOT NULL UNIQUE,
    percent    integer NOT NULL CHECK (percent BETWEEN 1 AND 100)
);
"""
COUPONS_EXPIRE = (
    COUPONS.replace(
        "percent BETWEEN 1 AND 100)\n", "percent BETWEEN 1 AND 100),\n    expires_at timestamptz\n"
    )
    + "CREATE INDEX coupons_expires_idx ON coupons (expires_at);\n"
)
REDEMPTIONS = """
CREATE TABLE coupon_redemptions (
    coupon_id  bigint NOT NULL REFERENCES coupons,
    user_id    uuid NOT NULL REFERENCES users,
    redeemed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coupon_id, user_id)
);
COMMENT ON TABLE coupon_redemptions IS 'Which user used which coupon, once each.';
"""


def test_edits_become_migrations_that_apply_verify_roll_back_and_report_status(
    server: Server, database: str, tmp_path: Path, capsys: Capsys
) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE, schema)
    migrations = tmp_path / "migrations"
    coupons = schema / "80_coupons.sql"

    def diff(name: str) -> None:
        result = run_cli(
            capsys,
            "migrate",
            "diff",
            name,
            "--schema",
            str(schema),
            "--migrations",
            str(migrations),
            "--dev-url",
            server.url,
        )
        assert result.code == 0, result.stderr
        assert "Wrote" in result.stdout

    target = ["--database-url", database, "--migrations", str(migrations)]
    verify = ["verify", *target, "--schema", str(schema), "--dev-url", server.url]

    diff("initial")
    coupons.write_text(COUPONS)
    diff("add coupons")
    coupons.write_text(COUPONS_EXPIRE)
    diff("coupon expiry")
    coupons.write_text(COUPONS_EXPIRE + REDEMPTIONS)
    diff("coupon redemptions")
    up_files = sorted(migrations.glob("*.up.sql"))
    assert [p.name.split("_", 1)[1] for p in up_files] == [
        "initial.up.sql",
        "add_coupons.up.sql",
        "coupon_expiry.up.sql",
        "coupon_redemptions.up.sql",
    ]
    assert all(p.with_name(p.name.replace(".up.", ".down.")).exists() for p in up_files)

    applied = run_cli(capsys, "migrate", "apply", *target)
    assert applied.code == 0, applied.stderr
    assert "Applied 4 migration(s)" in applied.stdout
    assert "public.coupon_redemptions" in catalog_of(database).tables

    clean = run_cli(capsys, *verify, "--format", "json")
    assert clean.code == 0, clean.stdout
    report = json.loads(clean.stdout)
    assert [(c["name"], c["status"]) for c in report["checks"]] == [
        ("manifest", "ok"),
        ("history", "ok"),
        ("migrations", "ok"),
        ("schema", "ok"),
        ("verify scripts", "ok"),
    ]

    edited = up_files[2]
    original = edited.read_text()
    hand_edit = original.replace("expires_at timestamp with time zone", "expires_at timestamp")
    assert hand_edit != original
    edited.write_text(hand_edit)
    mismatch = run_cli(capsys, *verify)
    assert mismatch.code == 2
    assert f"{edited.name}: edited since schemactl.sum was written" in mismatch.stdout
    assert f"{edited.name}: changed since it was applied" in mismatch.stdout
    edited.write_text(original)

    rolled = run_cli(
        capsys, "rollback", "--database-url", database, "--steps", "2", "--auto-approve"
    )
    assert rolled.code == 0, rolled.stderr
    tables = catalog_of(database).tables
    assert "public.coupon_redemptions" not in tables
    assert tables["public.coupons"].column("expires_at") is None

    after = run_cli(capsys, *verify, "--format", "json")
    assert after.code == 0, after.stdout
    checks = {c["name"]: c for c in json.loads(after.stdout)["checks"]}
    assert checks["history"]["note"] == "2 applied, 2 pending"
    assert checks["migrations"]["status"] == "ok"
    assert checks["schema"]["status"] == "skipped"

    status = run_cli(capsys, "status", *target, "--format", "json")
    assert status.code == 0
    data = json.loads(status.stdout)
    assert (data["applied"], data["pending"]) == (2, 2)
    states = [(e["name"], e["state"]) for e in data["entries"]]
    assert states == [
        ("initial", "applied"),
        ("add_coupons", "applied"),
        ("coupon_expiry", "rolled back"),
        ("coupon_redemptions", "rolled back"),
        ("coupon_expiry", "pending"),
        ("coupon_redemptions", "pending"),
    ]
    assert all(e["applied_at"] for e in data["entries"][:4])
    table = run_cli(capsys, "status", *target)
    assert table.code == 0 and "2 applied, 2 pending" in table.stdout
