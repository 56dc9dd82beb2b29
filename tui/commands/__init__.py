"""One module per `llweek` sub-command, each with `run(args) -> exit code`."""
