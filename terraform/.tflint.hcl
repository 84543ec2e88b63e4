# TFLint with only its bundled terraform ruleset: CI cannot download plugins (no GitHub), so
# no `source`/`version` here, and the AWS ruleset is not used. `all` turns on every rule of the
# bundled ruleset (typed and documented variables and outputs, pinned providers, naming,
# unused declarations, standard module structure, ...).
config {
  # Load the local modules an env calls (no `terraform init` needed for local sources), so a
  # missing or unparsable module fails the env's lint too.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "all"
}
