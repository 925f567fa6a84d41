"""Text search dictionaries and configurations: created before the columns, indexes and
views that name them, their options and mappings changed in place, never falsely
different (a configuration made with COPY = english equals one spelled out)."""

from __future__ import annotations

from pathlib import Path

from tests.support import Server, execute, plan_for, round_trip, sqls, write_schema

SEARCH = """
CREATE TEXT SEARCH DICTIONARY english_stem_nostop (TEMPLATE = snowball, Language = english);
CREATE TEXT SEARCH CONFIGURATION english_nostop (COPY = english);
ALTER TEXT SEARCH CONFIGURATION english_nostop
    ALTER MAPPING FOR asciiword, word WITH english_stem_nostop;
"""


def test_a_configuration_used_by_a_generated_column_is_created_before_it(
    server: Server, database: str, schema_dir: Path
) -> None:
    schema = (
        "CREATE TABLE docs (body text, tsv tsvector"
        " GENERATED ALWAYS AS (to_tsvector('english_nostop', body)) STORED);\n"
        "CREATE INDEX docs_tsv ON docs USING gin (tsv);\n" + SEARCH
    )
    plan = round_trip(server.url, database, schema_dir, "", schema)
    steps = sqls(plan)
    assert steps[0] == (
        "CREATE TEXT SEARCH DICTIONARY public.english_stem_nostop (\n"
        "    TEMPLATE = pg_catalog.snowball,\n"
        "    language = 'english'\n"
        ");"
    )
    assert steps[1] == (
        'CREATE TEXT SEARCH CONFIGURATION public.english_nostop (PARSER = pg_catalog."default");'
    )
    assert "ADD MAPPING FOR asciiword, word WITH public.english_stem_nostop;" in steps[2]
    assert steps[3].startswith("CREATE TABLE public.docs")


def test_a_mapping_changes_token_by_token(server: Server, database: str, schema_dir: Path) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        SEARCH,
        SEARCH + "ALTER TEXT SEARCH CONFIGURATION english_nostop DROP MAPPING FOR email, url;"
        "ALTER TEXT SEARCH CONFIGURATION english_nostop"
        " ALTER MAPPING FOR hword WITH english_stem_nostop, simple;",
    )
    assert sqls(plan) == [
        "ALTER TEXT SEARCH CONFIGURATION public.english_nostop\n"
        "    DROP MAPPING FOR email, hword, url;",
        "ALTER TEXT SEARCH CONFIGURATION public.english_nostop\n"
        "    ADD MAPPING FOR hword WITH public.english_stem_nostop, simple;",
    ]


def test_dictionary_options_change_in_place_and_a_removed_option_is_named_bare(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple, stopwords = 'english', accept = false);",
        "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple, stopwords = 'russian');",
    )
    assert sqls(plan) == ["ALTER TEXT SEARCH DICTIONARY public.d (stopwords = 'russian', accept);"]


def test_a_new_template_or_parser_replaces_the_object(
    server: Server, database: str, schema_dir: Path
) -> None:
    plan = round_trip(
        server.url,
        database,
        schema_dir,
        "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = simple);",
        "CREATE TEXT SEARCH DICTIONARY d (TEMPLATE = snowball, language = english);"
        "COMMENT ON TEXT SEARCH DICTIONARY d IS 'stems';",
    )
    assert sqls(plan) == [
        "DROP TEXT SEARCH DICTIONARY public.d;",
        "CREATE TEXT SEARCH DICTIONARY public.d (\n"
        "    TEMPLATE = pg_catalog.snowball,\n"
        "    language = 'english'\n"
        ");",
        "COMMENT ON TEXT SEARCH DICTIONARY public.d IS 'stems';",
    ]


def test_copy_and_spelled_out_mappings_are_the_same_configuration(
    server: Server, database: str, schema_dir: Path
) -> None:
    execute(database, "CREATE TEXT SEARCH CONFIGURATION plain_copy (COPY = simple);")
    write_schema(
        schema_dir,
        "CREATE TEXT SEARCH CONFIGURATION plain_copy (PARSER = default);"
        "ALTER TEXT SEARCH CONFIGURATION plain_copy ADD MAPPING FOR"
        " asciihword, asciiword, email, file, float, host, hword, hword_asciipart, hword_numpart,"
        " hword_part, int, numhword, numword, sfloat, uint, url, url_path, version, word"
        " WITH simple;",
    )
    assert not plan_for(server.url, database, schema_dir).has_changes
