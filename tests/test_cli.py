"""What the ``wiretrace`` command tells the shell and leaves on disk: exit codes, the run lock.

A run that read nothing because every input was missing or unreadable exits 1 with one line
saying so (a scheduled run with a mistyped inbox must not look like success); some bad files
among good ones cost only those files (exit 0, each listed). No ``.run-lock`` file outlives a
run, and one left by a killed run is taken over.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_robustness import SEEDS, TRACEBACK, WIRETRACE, needs_seeds, wiretrace

STORY = "A short but real article about the harbour. It has two sentences.\n"


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# -- exit codes ------------------------------------------------------------------------------------


def test_a_run_whose_only_input_is_missing_fails_in_one_line(tmp_path: Path, db_url: str) -> None:
    from storage.store import Store

    missing = tmp_path / "no" / "such" / "inbox"
    result = wiretrace("run", str(missing), "--db", db_url, "-q")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert TRACEBACK not in result.stderr + result.stdout
    assert _lines(result.stderr) == [
        f"skipped {missing}: no such file or folder",
        "error: nothing read: every input was missing or unreadable (1 skipped)",
    ]
    assert "wiretrace run" not in result.stdout  # no summary table that looks like success
    [run] = Store(db_url).runs()
    assert run["status"] == "failed"
    assert Store(db_url).skipped(run["run_id"])[0]["uri"] == str(missing)


def test_a_run_whose_inputs_are_all_unreadable_fails(tmp_path: Path, db_url: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")  # not an input: passed over
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 4)
    result = wiretrace("run", str(inbox), str(tmp_path / "typo"), "--db", db_url, "-q")
    assert result.returncode == 1 and TRACEBACK not in result.stderr
    lines = _lines(result.stderr)
    assert lines[-1] == "error: nothing read: every input was missing or unreadable (3 skipped)"
    assert len(lines) == 4 and all(line.startswith("skipped ") for line in lines[:-1])


def test_some_bad_inputs_still_exit_zero_and_are_listed(tmp_path: Path, db_url: str) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "story.txt").write_text(STORY, encoding="utf-8")
    first = wiretrace("run", str(inbox), "--db", db_url, "-q")
    assert first.returncode == 0, first.stderr
    # Nothing new and one bad path: the inbox was read (its story is stored unchanged).
    again = wiretrace("run", str(inbox), str(tmp_path / "typo"), "--db", db_url, "-q")
    assert again.returncode == 0, again.stderr
    assert _lines(again.stderr) == [f"skipped {tmp_path / 'typo'}: no such file or folder"]
    # An inbox that exists and is empty is a quiet night, not a mistake.
    (tmp_path / "empty").mkdir()
    quiet = wiretrace("run", str(tmp_path / "empty"), "--db", db_url, "-q")
    assert quiet.returncode == 0 and not _lines(quiet.stderr), quiet.stderr


# -- the run lock --------------------------------------------------------------------------------


def _sqlite_file(folder: Path) -> tuple[str, Path]:
    database = folder / "wiretrace.db"
    return f"sqlite:///{database}", Path(f"{database}.run-lock")


def test_no_lock_file_is_left_after_a_run(tmp_path: Path) -> None:
    url, lock = _sqlite_file(tmp_path)
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    result = wiretrace("run", str(tmp_path / "story.txt"), "--db", url, "-q")
    assert result.returncode == 0, result.stderr
    assert not lock.exists()
    assert sorted(path.name for path in tmp_path.iterdir() if "lock" in path.name) == []


def test_a_lock_left_by_a_killed_run_is_taken_over(tmp_path: Path) -> None:
    from storage.store import Store

    url, lock = _sqlite_file(tmp_path)
    killed = textwrap.dedent(
        f"""
        import os, signal
        from storage.store import Store
        store = Store({url!r})
        store.begin_run({{"paths": ["x"]}}, {{}})
        with store.exclusive():
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    process = subprocess.run([sys.executable, "-c", killed], check=False, timeout=60)
    assert process.returncode == -9 and lock.exists()
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    result = wiretrace("run", str(tmp_path / "story.txt"), "--db", url, "-q", timeout=60)
    assert result.returncode == 0, result.stderr
    assert not lock.exists()
    assert [run["status"] for run in Store(url).runs()] == ["interrupted", "completed"]


HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from storage.store import Store
    store, log = Store(sys.argv[1]), sys.argv[2]
    for _ in range(int(sys.argv[3])):
        with store.exclusive():
            with open(log, "a") as out:
                out.write(f"in {os.getpid()}\\n")
            time.sleep(0.002)
            with open(log, "a") as out:
                out.write(f"out {os.getpid()}\\n")
    """
)


def test_the_removed_lock_file_still_admits_one_run_at_a_time(tmp_path: Path) -> None:
    """Holders remove the file as they let go; those waiting on the old file must not share
    the lock with one that made a new file."""
    from storage.store import Store

    url, lock = _sqlite_file(tmp_path)
    processes = 4

    Store(url).document_count()  # create the schema once, outside the race
    log = tmp_path / "log"
    workers = [
        subprocess.Popen([sys.executable, "-c", HOLDER, url, str(log), "40"])
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    events = log.read_text().split("\n")[:-1]
    assert len(events) == 2 * 40 * processes
    for entered, left in zip(events[::2], events[1::2], strict=True):
        assert entered.startswith("in ") and left == "out " + entered[3:], (entered, left)
    assert not lock.exists()


def test_run_lock_waits_for_the_holder(tmp_path: Path) -> None:
    """A second holder waits while the first holds the lock (the file is not a free pass)."""
    from storage.store import Store

    url, lock = _sqlite_file(tmp_path)
    store = Store(url)
    with store.exclusive():
        assert lock.exists()
        waiting = subprocess.run(
            [
                sys.executable,
                "-c",
                "import signal, sys; from storage.store import Store; signal.alarm(2);"
                "Store(sys.argv[1]).exclusive().__enter__(); print('got it')",
                url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env={**os.environ},
        )
    assert "got it" not in waiting.stdout and waiting.returncode == -14  # SIGALRM: still waiting
    assert not lock.exists()


# -- what reaches the terminal -----------------------------------------------------------------

ESCAPES = "\x1b[2J\x1b[31m"  # clear the screen, then red
SHARED = (
    "The minister said on Tuesday that the harbour would reopen {mark} after repairs costing "
    "forty million euros, and that ships would be able to dock again by the end of the month."
)


def _two_stories(folder: Path, mark: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder / "a.txt", folder / "b.txt"
    passage = SHARED.format(mark=mark)
    first.write_text(f"First story.\n\n{passage}\n\nMore words in the first one.\n")
    second.write_text(f"Second story.\n\n{passage}\n\nOther words in the second one.\n")
    return first, second


def test_user_text_with_brackets_is_printed_as_written(tmp_path: Path) -> None:
    """Rich markup in a folder, a file name or an id is text: no MarkupError, nothing eaten."""
    folder = tmp_path / "Interviews [draft]"
    first, second = _two_stories(folder, "now")
    url = "sqlite:///Interviews [draft]/wiretrace.db"  # relative: short enough for one line
    ran = wiretrace("run", "Interviews [draft]", "--db", url, "-q", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert url in ran.stdout
    written = wiretrace("report", "--db", url, "--out", "Interviews [draft]/report", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert "files to Interviews [draft]/report/ (open" in written.stdout
    for args, expected in [
        (["show", "[/]", "--db", url], "error: no document '[/]' in " + url),
        (["clean", "missing[/b].txt"], "error: missing[/b].txt: no such file or folder"),
    ]:
        result = wiretrace(*args, cwd=tmp_path)
        assert result.returncode == 1 and TRACEBACK not in result.stderr, result.stderr
        assert _lines(result.stderr) == [expected]
    (folder / "a [red].txt").write_bytes(first.read_bytes())
    (folder / "b[bold].txt").write_bytes(second.read_bytes())
    aligned = wiretrace("align", "a [red].txt", "b[bold].txt", cwd=folder)
    assert aligned.returncode == 0, aligned.stderr
    assert _lines(aligned.stdout)[0].startswith("1. a [red].txt [")
    assert "  b[bold].txt [" in _lines(aligned.stdout)[0]


def test_control_characters_are_shown_escaped(tmp_path: Path) -> None:
    """ANSI escape sequences and line breaks from documents and file names never reach the
    terminal raw (a document cannot clear the screen or forge an 'error:' line)."""
    first, second = _two_stories(tmp_path / "inbox", ESCAPES + " \x9b2J")
    url = f"sqlite:///{tmp_path / 'wiretrace.db'}"
    outputs = [
        wiretrace("run", str(tmp_path / "inbox"), "--db", url),  # prints the shared passages
        wiretrace("align", str(first), str(second)),
        wiretrace("show", "a.txt", "--db", url),
        wiretrace("clean", str(first), "--json"),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\x9b" not in result.stdout
    for result in outputs[:3]:
        assert "\\x1b[2J\\x1b[31m \\x9b2J" in result.stdout  # shown, escaped
    assert ESCAPES in json.loads(outputs[3].stdout)["text"]  # the same JSON, escaped
    for name in ["missing\x1b[31m.txt", "missing\nerror: forged.txt"]:
        result = wiretrace("clean", str(tmp_path / name))
        assert result.returncode == 1 and "\x1b" not in result.stderr
        assert len(_lines(result.stderr)) == 1, result.stderr
        assert "missing\\x1b[31m.txt" in result.stderr or "missing\\x0aerror" in result.stderr


# -- help and version --------------------------------------------------------------------------


def _command_helps() -> list[tuple[str, list[str]]]:
    """Every command of the app with the help texts of its options and arguments."""
    import typer.main

    from flows.cli import app

    group = typer.main.get_command(app)
    found = [("", [param.help for param in group.params if getattr(param, "help", None)])]
    for name, command in group.commands.items():
        helps = [param.help for param in command.params if getattr(param, "help", None)]
        found.append((name, helps))
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_every_help_text_is_shown_whole_brackets_included() -> None:
    """Help is plain text: a bracketed part of an option's help is not eaten as markup."""
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    commands = _command_helps()
    assert {"run", "report", "show", "clean", "align", "export"} <= {name for name, _ in commands}
    for name, helps in commands:
        result = runner.invoke(app, [*([name] if name else []), "--help"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, result.output
        shown = _flat(result.output)
        for help_text in helps:
            assert _flat(help_text) in shown, (name, help_text)
        if name in ("run", "report", "show", "export"):
            assert "[default: $WIRETRACE_DB, else sqlite:///wiretrace.db]" in shown, name
    export_help = _flat(runner.invoke(app, ["export", "--help"]).output)
    assert "[default: stdout]" in export_help and "File to write ." not in export_help


def test_version_names_the_installed_package() -> None:
    from importlib.metadata import version

    result = wiretrace("--version")
    assert result.returncode == 0 and not result.stderr
    assert result.stdout == f"wiretrace {version('wiretrace')}\n"


def test_a_postgres_url_is_read_with_the_installed_driver_and_says_so(tmp_path: Path) -> None:
    """``postgres://`` (SQLAlchemy: "Can't load plugin") is opened as postgresql+psycopg://."""
    nowhere = "postgres://someone@127.0.0.1:1/news"  # port 1: refused at once, no server needed
    for args, env, where in [
        (["show", "x", "--db", nowhere], {}, "--db"),
        (["show", "x"], {"WIRETRACE_DB": nowhere}, "$WIRETRACE_DB"),
    ]:
        result = wiretrace(*args, env=env, cwd=tmp_path)
        assert result.returncode == 1 and TRACEBACK not in result.stderr, result.stderr
        lines = _lines(result.stderr)
        assert lines[0] == (
            f"note: {where}: read postgres:// as postgresql+psycopg:// "
            "(write it so to silence this note)"
        )
        assert len(lines) == 2 and lines[1].startswith("error: ")
        assert "plugin" not in result.stderr
    plain = wiretrace("show", "x", "--db", f"sqlite:///{tmp_path / 'w.db'}")
    assert _lines(plain.stderr) == [f"error: no document 'x' in sqlite:///{tmp_path / 'w.db'}"]


# -- commands over a stored corpus (the seeds, run once for the module) ----------------------


@pytest.fixture(scope="module")
def seeded(module_db_url: str) -> Iterator[str]:
    """The database URL of a run over the five seed articles."""
    if not SEEDS.is_dir():
        pytest.skip(f"seeds not found at {SEEDS}")
    result = wiretrace("run", str(SEEDS), "--db", module_db_url, "-q")
    assert result.returncode == 0, result.stderr
    yield module_db_url


@needs_seeds
def test_export_json_csv_and_jsonl_are_the_reports_files(seeded: str, tmp_path: Path) -> None:
    written = wiretrace("report", "--db", seeded, "--out", str(tmp_path / "report"))
    assert written.returncode == 0, written.stderr
    report_json = json.loads((tmp_path / "report" / "lineage.json").read_text(encoding="utf-8"))
    report_csv = (tmp_path / "report" / "lineage.csv").read_bytes()
    assert report_json["occurrences"], "the seeds share passages"

    as_json = wiretrace(
        "export", "--format", "json", "--db", seeded, "--out", str(tmp_path / "l.json")
    )
    assert as_json.returncode == 0 and as_json.stdout == f"wrote {tmp_path / 'l.json'}\n"
    exported = json.loads((tmp_path / "l.json").read_text(encoding="utf-8"))
    assert exported.pop("generated_at") and report_json.pop("generated_at")
    assert exported == report_json

    csv_file = wiretrace(
        "export", "--format", "csv", "--db", seeded, "--out", str(tmp_path / "l.csv")
    )
    assert csv_file.returncode == 0, csv_file.stderr
    assert (tmp_path / "l.csv").read_bytes() == report_csv
    csv_out = subprocess.run(
        [WIRETRACE, "export", "--format", "csv", "--db", seeded],
        capture_output=True,
        check=False,
    )
    assert csv_out.returncode == 0 and csv_out.stdout == report_csv  # piped: the same bytes

    lines = wiretrace("export", "--format", "jsonl", "--db", seeded)
    assert lines.returncode == 0, lines.stderr
    assert [json.loads(line) for line in lines.stdout.splitlines()] == report_json["occurrences"]

    prov = wiretrace("export", "--db", seeded)  # prov-json stays the default
    assert prov.returncode == 0 and "entity" in json.loads(prov.stdout)


@needs_seeds
def test_export_refuses_an_unknown_format_and_an_unwritable_file(
    seeded: str, tmp_path: Path
) -> None:
    unknown = wiretrace("export", "--format", "xml", "--db", seeded)
    assert unknown.returncode == 1 and _lines(unknown.stderr) == [
        "error: unknown export format 'xml' (supported: prov-json, json, csv, jsonl)"
    ]
    missing = tmp_path / "no" / "such" / "folder" / "l.csv"
    cannot = wiretrace("export", "--format", "csv", "--db", seeded, "--out", str(missing))
    assert cannot.returncode == 1 and TRACEBACK not in cannot.stderr
    assert _lines(cannot.stderr) == [f"error: {missing}: cannot write (No such file or directory)"]
    folder = wiretrace("export", "--format", "csv", "--db", seeded, "--out", str(tmp_path))
    assert folder.returncode == 1
    assert _lines(folder.stderr) == [f"error: {tmp_path}: is a folder; give a file name with --out"]


@needs_seeds
def test_export_replaces_a_link_and_leaves_its_target_alone(seeded: str, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "lineage.csv"
    link.symlink_to(target)
    result = wiretrace("export", "--format", "csv", "--db", seeded, "--out", str(link))
    assert result.returncode == 0, result.stderr
    assert target.read_text() == "keep me\n"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("occurrence_id,")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


@needs_seeds
def test_show_json_is_the_documents_part_of_lineage_json(seeded: str, tmp_path: Path) -> None:
    seed = SEEDS / "001_4549b8f89bfc8ad3.txt"
    result = wiretrace("show", "001", "--json", "--db", seeded)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    text = seed.read_text(encoding="utf-8")
    assert shown["document"]["uri"] == str(seed)
    assert shown["occurrences"] and all(row["uri"] == str(seed) for row in shown["occurrences"])
    for row in shown["occurrences"]:
        assert text[row["start_char"] : row["end_char"]] == row["text"]
    clusters = {row["cluster_id"] for row in shown["occurrences"]}
    assert {row["cluster_id"] for row in shown["clusters"]} == clusters
    assert shown["copies"] and {row["cluster_id"] for row in shown["copies"]} <= clusters
    assert all(row["uri"] != str(seed) for row in shown["copies"])
    exported = json.loads(wiretrace("export", "--format", "json", "--db", seeded).stdout)
    mine = [row for row in exported["occurrences"] if row["uri"] == str(seed)]
    assert shown["occurrences"] == mine and shown["fields"] == exported["fields"]


@needs_seeds
def test_show_and_align_take_files_or_stored_documents(seeded: str, tmp_path: Path) -> None:
    first, second = SEEDS / "000_09ade5e7dfcab0e4.txt", SEEDS / "001_4549b8f89bfc8ad3.txt"
    by_files = wiretrace("align", str(first), str(second), "--json")
    by_uris = wiretrace("align", str(first), str(second), "--json", "--db", seeded, cwd=tmp_path)
    stored = json.loads(wiretrace("show", "000", "--json", "--db", seeded).stdout)["document"]
    by_ids = wiretrace("align", str(stored["document_id"]), "001", "--json", "--db", seeded)
    assert by_files.returncode == by_ids.returncode == 0, by_ids.stderr
    assert json.loads(by_files.stdout) and json.loads(by_files.stdout) == json.loads(by_ids.stdout)
    assert by_uris.stdout == by_files.stdout
    # A file that exists wins over a stored uri of the same name (here: another text).
    (tmp_path / "001").write_text("A different story altogether, about the weather.\n")
    shadowed = wiretrace("align", str(first), "001", "--db", seeded, cwd=tmp_path)
    assert shadowed.returncode == 1 and _lines(shadowed.stderr) == [
        "error: 001: unsupported file type '(none)'"
    ]
    # show: the file a document was read from names it, whatever its spelling.
    relative = os.path.relpath(second, tmp_path)
    by_file = wiretrace("show", relative, "--json", "--db", seeded, cwd=tmp_path)
    assert json.loads(by_file.stdout)["document"]["uri"] == str(second)
    unknown = wiretrace("align", "nowhere.com/1", str(second), "--db", seeded)
    assert unknown.returncode == 1 and TRACEBACK not in unknown.stderr
    assert _lines(unknown.stderr) == [
        f"error: nowhere.com/1: neither a file nor a document stored in {_display(seeded)}"
    ]
    unstored = tmp_path / "new.txt"
    unstored.write_text(STORY)
    not_run = wiretrace("show", str(unstored), "--db", seeded)
    assert _lines(not_run.stderr) == [
        f"error: {unstored}: a file no run stored in {_display(seeded)} (run it first)"
    ]


def test_align_of_a_missing_name_makes_no_database(tmp_path: Path) -> None:
    first, _ = _two_stories(tmp_path / "inbox", "now")
    result = wiretrace("align", str(first), "missing.txt", cwd=tmp_path)
    assert result.returncode == 1 and _lines(result.stderr) == [
        "error: missing.txt: neither a file nor a document stored in sqlite:///wiretrace.db"
    ]
    assert not (tmp_path / "wiretrace.db").exists()


def _display(url: str) -> str:
    from storage.urls import mask_url

    return mask_url(url)


# -- JSONL input: --field on run and clean, clean of a feed ------------------------------------

FEED = [
    {
        "guid": "a-1",
        "link": "https://one.example/1",
        "body": "The harbour reopened on Monday after repairs. Ships docked again.",
        "source": {"domain": "one.example"},
        "pubDate": "Mon, 04 Mar 2024 08:00:00 GMT",
    },
    {
        "guid": "b-2",
        "link": "https://two.example/2",
        "body": "A fire closed the market on Sunday. Nobody was hurt.",
        "source": {"domain": "two.example"},
        "pubDate": "Sun, 03 Mar 2024 18:00:00 GMT",
    },
]


def _write_feed(folder: Path) -> Path:
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(record) + "\n" for record in FEED), encoding="utf-8")
    return feed


def test_run_field_maps_nested_keys_into_the_stored_documents(tmp_path: Path, db_url: str) -> None:
    from storage.store import Store

    feed = _write_feed(tmp_path)
    result = wiretrace(
        "run", str(feed), "--db", db_url, "-q", "--field", "outlet=source.domain", "--field",
        "id=guid",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    stored = {row.uri: row for row in Store(db_url).documents()}
    assert sorted(stored) == ["a-1", "b-2"]
    assert stored["a-1"].outlet == "one.example" and stored["b-2"].outlet == "two.example"
    assert str(stored["a-1"].published_at).startswith("2024-03-04 08:00")
    [run] = Store(db_url).runs()
    assert run["parameters"]["fields"] == {"outlet": "source.domain", "id": "guid"}


def test_a_bad_field_option_is_one_line(tmp_path: Path, db_url: str) -> None:
    feed = _write_feed(tmp_path)
    for command in (["run", str(feed), "--db", db_url], ["clean", str(feed)]):
        result = wiretrace(*command, "--field", "outlet:source.domain")
        assert result.returncode == 1 and TRACEBACK not in result.stderr
        assert _lines(result.stderr) == [
            "error: --field 'outlet:source.domain': write NAME=FIELD, e.g. --field "
            "outlet=source.domain"
        ]


def test_clean_of_a_feed_prints_every_record_or_the_one_asked(tmp_path: Path) -> None:
    feed = _write_feed(tmp_path)
    every = wiretrace("clean", str(feed))
    assert every.returncode == 0, every.stderr
    assert every.stdout == (
        "==> https://one.example/1 <==\n" + FEED[0]["body"] + "\n\n"
        "==> https://two.example/2 <==\n" + FEED[1]["body"] + "\n"
    )
    as_json = wiretrace("clean", str(feed), "--json", "--field", "outlet=source.domain")
    records = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [record["uri"] for record in records] == [
        "https://one.example/1",
        "https://two.example/2",
    ]
    assert [record["metadata"]["outlet"] for record in records] == ["one.example", "two.example"]
    assert records[1]["metadata"]["published_at"].startswith("2024-03-03T18:00")
    assert all(record["clean_text"] for record in records)
    one = json.loads(
        wiretrace("clean", str(feed), "--id", "https://two.example/2", "--json").stdout
    )
    assert (one["uri"], one["clean_text"]) == (records[1]["uri"], records[1]["clean_text"])
    unnamed = tmp_path / "unnamed.jsonl"
    unnamed.write_text(json.dumps({"text": "Only text."}) + "\n" + json.dumps({"text": "More."}))
    by_line = wiretrace("clean", str(unnamed), "--id", "L2")  # no id nor url: its line
    assert by_line.returncode == 0 and by_line.stdout == "More.\n"
    missing = wiretrace("clean", str(feed), "--id", "c-3")
    assert missing.returncode == 1 and _lines(missing.stderr) == [
        f"error: {feed}: no record 'c-3' among its 2 readable records"
    ]


# -- progress ----------------------------------------------------------------------------------

STAGES = ["read", "clean", "templates", "fingerprint", "candidates", "align", "store", "trace"]


def _run_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """``wiretrace`` with stderr on a pseudo-terminal (stdout piped): exit code, what the
    terminal received, stdout."""
    import pty
    import threading

    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm", "NO_COLOR": "1"}
    env.pop("WIRETRACE_DB", None)
    process = subprocess.Popen(
        [WIRETRACE, *args], stdout=subprocess.PIPE, stderr=terminal, cwd=cwd, env=env
    )
    os.close(terminal)
    received = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            received.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    stdout, _ = process.communicate(timeout=300)
    reader.join(timeout=60)
    os.close(controller)
    return process.returncode, received.decode("utf-8", "replace"), stdout.decode()


@needs_seeds
def test_every_stage_of_a_run_shows_on_a_terminal_and_nowhere_else(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wiretrace.db'}"
    code, terminal, stdout = _run_on_a_terminal(["run", str(SEEDS), "--db", url], tmp_path)
    assert code == 0, terminal
    for stage in STAGES:
        assert f" {stage} " in terminal, stage
    assert "5/5" in terminal  # a bar, counted, for the stages that know their work
    assert "wiretrace run" in stdout  # the summary, on stdout as before
    # --quiet, or stderr not a terminal (a log): no progress at all.
    quiet_url = f"sqlite:///{tmp_path / 'quiet.db'}"
    code, terminal, _ = _run_on_a_terminal(["run", str(SEEDS), "--db", quiet_url, "-q"], tmp_path)
    assert code == 0 and not [stage for stage in STAGES if f" {stage} " in terminal], terminal
    logged = wiretrace("run", str(SEEDS), "--db", f"sqlite:///{tmp_path / 'log.db'}")
    assert logged.returncode == 0 and logged.stderr == ""
