"""The `loket` typer app: sub-commands are defined beside this module; here they are only
assembled."""

from __future__ import annotations

import typer

from loket.cli import (
    accounts_cmd,
    asyncapi_cmd,
    audit_cmd,
    bench_cmd,
    contracts_cmd,
    demo,
    dlq,
    ebox_sim_cmd,
    kafka_cmd,
    keys_cmd,
    migrate,
    policy_cmd,
    print_cmd,
    privacy_cmd,
    reporting_cmd,
    seed_cmd,
    serve,
    sms_sim_cmd,
    tenants_cmd,
)
from loket.cli.help_text import one_line_summaries
from loket.devstack import up

app = typer.Typer(
    name="loket",
    help="Loket: municipal digital inclusion on an event bus (booking, notify, ebox_bridge, reporting).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("demo")(demo.demo)
app.command("up")(up.up)
app.command("serve")(serve.serve)
app.command("migrate")(migrate.migrate)
app.command("seed")(seed_cmd.seed)
app.command("ebox-sim")(ebox_sim_cmd.ebox_sim)
app.command("ebox-keys")(ebox_sim_cmd.ebox_keys)
app.command("sms-sim")(sms_sim_cmd.sms_sim)
app.command("smtp-sink")(sms_sim_cmd.smtp_sink)
app.command("asyncapi")(asyncapi_cmd.asyncapi)
app.command("audit")(audit_cmd.audit_trail)
app.add_typer(contracts_cmd.app, name="contracts")
app.add_typer(dlq.app, name="dlq")
app.add_typer(bench_cmd.app, name="bench")
app.add_typer(print_cmd.app, name="print")
app.add_typer(privacy_cmd.app, name="privacy")
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(reporting_cmd.app, name="reporting")
app.add_typer(kafka_cmd.app, name="kafka")
app.add_typer(tenants_cmd.app, name="tenants")
app.add_typer(keys_cmd.app, name="keys")
app.add_typer(accounts_cmd.app, name="accounts")
# Last: the groups above are complete.
one_line_summaries(app)
