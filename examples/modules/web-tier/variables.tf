variable "name" {
  description = "Name of the tier: servers are called <name>-<n>.<domain>, and tagged tier:<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 32 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen: it becomes part of host names and tags."
  }
}

variable "domain" {
  description = "DNS domain of the servers' host names."
  type        = string
  default     = "example.com"
}

variable "environment" {
  description = "Environment the tier belongs to: dev, staging or prod. Servers are tagged env:<environment>."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging or prod."
  }
}

variable "server_count" {
  description = "How many web servers to order."
  type        = number
  default     = 2

  validation {
    condition     = var.server_count >= 1 && var.server_count <= 10 && floor(var.server_count) == var.server_count
    error_message = "server_count must be a whole number from 1 to 10."
  }
}

variable "location" {
  description = "Location to order in, as the flexmetal_locations data source names it."
  type        = string
  default     = "EU: Rotterdam"
}

variable "instance_type" {
  description = "Instance type of every server. Only the std (standard) family suits a web tier."
  type        = string
  default     = "bm7.std.8"

  validation {
    condition     = can(regex("^bm[0-9]+\\.std\\.[0-9]+$", var.instance_type))
    error_message = "instance_type must be a standard instance type, such as bm7.std.8: web servers do not need the high-memory (hmm) family."
  }
}

variable "check_instance_type_offered" {
  description = "Check while planning, with the flexmetal_instance_types data source, that location offers instance_type, so a mistake fails with this module's own message. The provider checks it as well; turn this off to skip the catalog read, e.g. in a terraform test suite with a mock_provider, which cannot supply the data source's list of instance types."
  type        = bool
  default     = true
}

variable "os_slug" {
  description = "Operating system to install, as the flexmetal_operating_systems data source names it."
  type        = string
  default     = "ubuntu-2404-lts"
}

variable "ssh_key_name" {
  description = "Name of a stored SSH key (see flexmetal_ssh_key) to install for root on every server."
  type        = string

  validation {
    condition     = length(trimspace(var.ssh_key_name)) > 0
    error_message = "ssh_key_name must name a stored SSH key: nobody could log in to the servers otherwise."
  }
}

variable "extra_tags" {
  description = "Tags added to every server besides role:web, tier:<name> and env:<environment>."
  type        = list(string)
  default     = []
}
