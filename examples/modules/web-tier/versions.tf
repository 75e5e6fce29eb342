terraform {
  # terraform test with mock_provider (tests/mock.tftest.hcl) needs 1.7; the module itself
  # works with any version the provider supports.
  required_version = ">= 1.5"

  required_providers {
    flexmetal = {
      source = "flexmetal/flexmetal"
    }
  }
}
