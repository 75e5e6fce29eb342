terraform {
  required_providers {
    flexmetal = {
      source = "flexmetal/flexmetal"
    }
  }
}

# Leave the key unset (null) to use the FLEXMETAL_API_KEY environment variable, or pass it in
# from a secret store. Never write a key into a .tf file.
variable "flexmetal_api_key" {
  type      = string
  sensitive = true
  default   = null
}

provider "flexmetal" {
  api_key = var.flexmetal_api_key

  # Check a delivering server at most every 30 seconds (default 10s).
  poll_interval = "30s"

  # Every server carries these besides its own tags (see its tags_all).
  default_tags = ["team:infra", "env:prod"]

  # Tags that the backup and monitoring tools set: neither drift nor removed.
  ignore_tag_prefixes = ["backup:", "monitoring:"]
}
