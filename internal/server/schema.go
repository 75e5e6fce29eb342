package server

import (
	"context"
	"regexp"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

const customIPXESlug = "custom-ipxe"

var (
	contractIDPattern = regexp.MustCompile(`^[A-Z0-9_\-.]{0,240}$`)
	filesystems       = []string{"ext2", "ext3", "ext4", "xfs"}
)

func (r *serverResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = serverResourceSchema(ctx)
}

// serverResourceSchema is the flexmetal_server schema; types of nested objects are derived from
// it rather than written out a second time.
func serverResourceSchema(ctx context.Context) schema.Schema {
	return schema.Schema{
		MarkdownDescription: "A FlexMetal bare-metal server. Creating it orders the server and waits until it is `delivered`; destroying it releases the server (billing stops once it is `released`). Changing `tags` or `deletion_protection` updates it in place; changing `name`, `os`, `ssh_keys`, `post_install_script` or `post_install_script_wo_version` erases its disks: it replaces the server with a newly ordered one, or reinstalls it in place (same server and IP addresses) when `allow_reinstall` is `true`; changing `location`, `instance_type`, `contract_id` or `overflow` replaces it. While `deletion_protection` is `true`, a plan that would destroy, replace or reinstall it fails.",
		Attributes: shared.WithAttributes(serverReportedAttributes.Resource(), map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "Host name of the server, e.g. `web-1.example.com`. Changing it reinstalls the server (see `allow_reinstall`).",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"location": schema.StringAttribute{
				MarkdownDescription: "Name of the location (data center), e.g. `EU: Rotterdam`; see the `flexmetal_locations` data source. Changing it creates a new server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"instance_type": schema.StringAttribute{
				MarkdownDescription: "Name of the instance type (hardware configuration), e.g. `bm7.std.8`; it must be offered at `location` (see the `flexmetal_instance_types` data source). Changing it creates a new server.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"os": schema.SingleNestedAttribute{
				MarkdownDescription: "Operating system to install. Changing any of it reinstalls the server (see `allow_reinstall`).",
				Required:            true,
				Attributes: map[string]schema.Attribute{
					"slug": schema.StringAttribute{
						MarkdownDescription: "Slug of the operating system, e.g. `ubuntu-2404-lts`; see the `flexmetal_operating_systems` data source.",
						Required:            true,
						Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"kernel_params": schema.ListNestedAttribute{
						MarkdownDescription: "Kernel parameters for the PXE stage of the installation (Talos needs them; most systems do not). The API does not report them back, so they are kept as configured.",
						Optional:            true,
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"key":   schema.StringAttribute{MarkdownDescription: "Parameter name, e.g. `siderolink.api`.", Required: true, Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
							"value": schema.StringAttribute{MarkdownDescription: "Parameter value.", Required: true},
						}},
					},
					"partitions": schema.ListNestedAttribute{
						MarkdownDescription: "Custom disk partitions; without them the OS's default scheme is used. The API does not report them back, so they are kept as configured.",
						Optional:            true,
						Validators:          []validator.List{listvalidator.SizeAtLeast(1)},
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"target": schema.StringAttribute{
								MarkdownDescription: "Mount point, e.g. `/var/lib/data`.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^/`), "must be an absolute mount point starting with \"/\", e.g. \"/data\"")},
							},
							"filesystem": schema.StringAttribute{
								MarkdownDescription: "Filesystem: one of `ext2`, `ext3`, `ext4`, `xfs`.",
								Required:            true,
								Validators:          []validator.String{stringvalidator.OneOf(filesystems...)},
							},
							"size": schema.Int64Attribute{
								MarkdownDescription: "Size in MB, or `-1` for the rest of the disk.",
								Required:            true,
								Validators:          []validator.Int64{int64validator.Any(int64validator.OneOf(-1), int64validator.AtLeast(1))},
							},
						}},
					},
					"ipxe_script_url": schema.StringAttribute{
						MarkdownDescription: "URL of a custom iPXE script. Required with, and only allowed with, the `custom-ipxe` slug.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^https?://\S+$`), "must be an http:// or https:// URL")},
					},
				},
			},
			"ssh_keys": schema.ListAttribute{
				MarkdownDescription: "SSH public keys (OpenSSH format) or UUIDs of stored keys (see `flexmetal_ssh_key`) installed for root. Operating systems that take no keys (Windows, Talos, `custom-ipxe`) need none; a Linux or BSD server without keys cannot be logged into, and the API refuses such an order. The API does not report them back, so they are kept as configured. Changing them reinstalls the server (see `allow_reinstall`).",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.ValueStringsAre(shared.NotPrivateKeyValidator(), shared.SSHKeyOrIDValidator()),
				},
			},
			"post_install_script": schema.StringAttribute{
				MarkdownDescription: "Script run once after the OS is installed (Linux only), e.g. a `#!/bin/bash` script. Sensitive, but stored in the state and saved plans; use `post_install_script_wo` to keep it out of them. Not reported back by the API. Changing it reinstalls the server (see `allow_reinstall`).",
				Optional:            true,
				Sensitive:           true,
			},
			"post_install_script_wo": schema.StringAttribute{
				MarkdownDescription: "Write-only alternative to `post_install_script` (the two conflict): the script is sent when the server is ordered and with every reinstall, but never stored in the state or a plan. Terraform cannot detect changes to a write-only value, so changing it does nothing by itself: bump `post_install_script_wo_version` to reinstall the server with the new script. Requires Terraform 1.11 or OpenTofu 1.11 or later. Accepts ephemeral values.",
				Optional:            true,
				WriteOnly:           true,
			},
			"post_install_script_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `post_install_script_wo`, any number you choose (stored in the state). Changing it reinstalls the server with the current `post_install_script_wo` (see `allow_reinstall`). Requires `post_install_script_wo`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("post_install_script_wo"))},
			},
			"allow_reinstall": schema.BoolAttribute{
				MarkdownDescription: "Whether a change to `name`, `os`, `ssh_keys`, `post_install_script` or `post_install_script_wo_version`, which erases the disks, reinstalls the server in place (`true`: same server, same IP addresses) or replaces it with a newly ordered one (`false`, the default). A replacement shows in the plan, and in `terraform show -json`, as a delete, which policy checks look for; an in-place reinstall shows as an update. Either way the plan warns before a server's disks are erased.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"deletion_protection": schema.BoolAttribute{
				MarkdownDescription: "Whether the server is protected from being destroyed, replaced or reinstalled: while `true` (in the state), a plan that would do any of these fails, naming the server. Unlike `lifecycle { prevent_destroy }`, it still protects the server when its resource block is deleted from the configuration. To go ahead, set it to `false` and apply (which changes only the state, no API request), then plan the change. Default `false`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
			},
			"tags": schema.SetAttribute{
				MarkdownDescription: "Tags, each matching `[A-Za-z0-9_:-]{1,64}` (e.g. `env:prod`); with the provider's `default_tags`, at most 60. The prefixes `tf-create:` and `tf-reinstall:` are reserved for the provider, and tags starting with one of the provider's `ignore_tag_prefixes` are refused. Updated in place; tags changed outside Terraform show up as drift. The server also carries the provider's `default_tags` (see `tags_all`).",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.Set{
					setvalidator.SizeAtMost(shared.MaxTags),
					setvalidator.ValueStringsAre(shared.TagValidator(), shared.ReservedTagValidator()),
				},
			},
			"tags_all": schema.SetAttribute{
				MarkdownDescription: "All the tags the server carries: `tags` and the provider's `default_tags`, without those starting with one of the provider's `ignore_tag_prefixes`. Unknown in a plan while `default_tags` is.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"contract_id": schema.StringAttribute{
				MarkdownDescription: "Contract of a committed capacity pool to order from (upper case letters, digits, `_`, `-`, `.`). When unset, the API chooses (committed capacity first) and reports the contract used.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.RegexMatches(contractIDPattern, "must be upper case letters, digits, '_', '-' or '.', at most 240 characters")},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"overflow": schema.BoolAttribute{
				MarkdownDescription: "Order on-demand capacity when the committed pool is full (`true`), instead of failing. Defaults to the API's behavior (`false`). Changing it creates a new server.",
				Optional:            true,
			},
			"timeouts": describedTimeouts(ctx, timeouts.Opts{
				Create:            true,
				Update:            true,
				Delete:            true,
				CreateDescription: "How long to wait for delivery (default `60m`). When it runs out, the server stays in state as tainted and is released by the next apply.",
				UpdateDescription: "How long an in-place update may take, including a reinstall until the server is `delivered` again (default `60m`). When it runs out, the server stays in state with its previous values, and the next apply waits for a reinstall still running before trying again.",
				DeleteDescription: "How long to wait for the release (default `20m`).",
			}, "Operation timeouts, as durations such as `90m` or `1h`."),
		}),
	}
}

// serverOSAttrTypes are the attribute types of the nested os object, read off the schema.
var serverOSAttrTypes = sync.OnceValue(func() map[string]attr.Type {
	os, _ := serverResourceSchema(context.Background()).Attributes["os"].GetType().(types.ObjectType)
	return os.AttrTypes
})

// describedTimeouts adds a description to the timeouts attribute, which the timeouts package
// leaves without one.
func describedTimeouts(ctx context.Context, opts timeouts.Opts, description string) schema.Attribute {
	attr := timeouts.Attributes(ctx, opts)
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = description
		return nested
	}
	return attr
}
