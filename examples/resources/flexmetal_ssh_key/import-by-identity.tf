import {
  to       = flexmetal_ssh_key.deploy
  identity = { id = "5f0c8d2e-3b7a-4c1e-9d6f-2a8b4e7c1d90" }
}
