import {
  to       = flexmetal_server.web
  identity = { id = "019257a3-d7c4-7f5e-9b1a-84c78b711f6e" }
}
