// Package provider is the flexmetal Terraform provider on terraform-plugin-framework: its
// configuration (api_key, base_url, poll_interval, default_tags, ignore_tag_prefixes),
// Configure, which builds the API client and the data every type reads
// (internal/shared.ProviderData), and the lists of types it registers:
//
//   - resources: flexmetal_server (internal/server), flexmetal_ssh_key (internal/sshkey),
//     flexmetal_tag (internal/account);
//   - data sources: the catalog's locations, instance types and operating systems
//     (internal/catalog), flexmetal_servers (internal/server), flexmetal_ssh_key(s)
//     (internal/sshkey), flexmetal_quota, flexmetal_capacity_commits, flexmetal_usage and
//     flexmetal_tags (internal/account);
//   - ephemeral resources: flexmetal_server_root_password (internal/server);
//   - list resources (terraform query): flexmetal_server (internal/server) and flexmetal_ssh_key
//     (internal/sshkey);
//   - actions: flexmetal_server_reinstall (internal/server).
//
// Imports flow one way: provider -> the resource families -> internal/shared ->
// internal/flexmetal; .golangci.yml's depguard rules hold them to it.
package provider

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/account"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/catalog"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/server"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/sshkey"
)

// Address is the provider's registry source address.
const Address = "registry.terraform.io/flexmetal/flexmetal"

// TypeName prefixes every resource and data source type.
const TypeName = shared.TypeName

// Environment variables read when the provider block leaves an attribute unset.
const (
	EnvAPIKey  = shared.EnvAPIKey
	EnvBaseURL = shared.EnvBaseURL
)

var (
	_ provider.ProviderWithValidateConfig     = (*flexmetalProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*flexmetalProvider)(nil)
	_ provider.ProviderWithListResources      = (*flexmetalProvider)(nil)
	_ provider.ProviderWithActions            = (*flexmetalProvider)(nil)
)

type flexmetalProvider struct {
	version string
	// clientOptions are appended to every client the provider builds: tests shorten retry
	// backoff with them, and the benchmark turns coalescing off for its baseline.
	clientOptions []flexmetal.Option
	// catalogs outlive Configure, which Terraform calls once per operation, so one provider
	// process asks for the catalog at most once per endpoint and key.
	catalogs *shared.CatalogRegistry
}

// New returns a constructor of the provider, as providerserver.Serve expects. The client
// options are appended to those the provider configuration sets; the released provider passes
// none.
func New(version string, clientOptions ...flexmetal.Option) func() provider.Provider {
	catalogs := shared.NewCatalogRegistry()
	return func() provider.Provider {
		return &flexmetalProvider{version: version, clientOptions: clientOptions, catalogs: catalogs}
	}
}

type providerModel struct {
	APIKey            types.String `tfsdk:"api_key"`
	BaseURL           types.String `tfsdk:"base_url"`
	PollInterval      types.String `tfsdk:"poll_interval"`
	DefaultTags       types.List   `tfsdk:"default_tags"`
	IgnoreTagPrefixes types.List   `tfsdk:"ignore_tag_prefixes"`
}

func (p *flexmetalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = shared.TypeName
	resp.Version = p.version
}

func (p *flexmetalProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages i3D.net FlexMetal bare-metal servers and SSH keys, and reads the FlexMetal catalog (locations, instance types, operating systems).",
		Attributes: map[string]schema.Attribute{
			"api_key": schema.StringAttribute{
				MarkdownDescription: "FlexMetal API key, sent in the `PRIVATE-TOKEN` header. Create one in the i3D.net customer portal (with IP whitelisting). Defaults to the `" + shared.EnvAPIKey + "` environment variable.",
				Optional:            true,
				Sensitive:           true,
			},
			"base_url": schema.StringAttribute{
				MarkdownDescription: "API endpoint. Defaults to the `" + shared.EnvBaseURL + "` environment variable, then `" + flexmetal.DefaultBaseURL + "`. Must be `https://`, except for a loopback host (such as the bundled simulator on `http://127.0.0.1:PORT`).",
				Optional:            true,
				Validators:          []validator.String{shared.BaseURLValidator()},
			},
			"poll_interval": schema.StringAttribute{
				MarkdownDescription: "Longest wait between two status checks while a server is delivered or released, as a Go duration such as `10s` or `1m`. Checks start about a second apart and slow down as the wait grows (at most a sixteenth of the time already waited, so a change is noticed within a tenth of the wait), up to this interval. Defaults to `10s`.",
				Optional:            true,
				Validators:          []validator.String{shared.DurationValidator(10*time.Millisecond, 10*time.Minute)},
			},
			"default_tags": schema.ListAttribute{
				MarkdownDescription: "Tags every `flexmetal_server` carries besides its own `tags`, e.g. `[\"team:infra\", \"env:prod\"]`. A server's `tags` stays what its configuration says; its `tags_all` shows all the tags it has. Changing `default_tags` updates the tags of every server in place; it never reinstalls or replaces one. A tag may be in both lists.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators: []validator.List{
					listvalidator.SizeAtMost(shared.MaxTags),
					listvalidator.ValueStringsAre(shared.TagValidator(), shared.ReservedTagValidator()),
				},
			},
			"ignore_tag_prefixes": schema.ListAttribute{
				MarkdownDescription: "Tag prefixes, e.g. `[\"backup:\", \"monitoring:\"]`, of tags that other tools set on servers: `flexmetal_server` neither reports them (in `tags` or `tags_all`) nor removes them. A server's `tags` and `default_tags` must not contain such tags.",
				Optional:            true,
				ElementType:         types.StringType,
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
		},
	}
}

func (p *flexmetalProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !cfg.APIKey.IsNull() && !cfg.APIKey.IsUnknown() && strings.TrimSpace(cfg.APIKey.ValueString()) == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Empty FlexMetal API Key",
			"The provider's api_key is set to an empty string. Set it to your FlexMetal API key, or remove the attribute and set the "+shared.EnvAPIKey+" environment variable.")
	}
	defaults, _ := knownStrings(cfg.DefaultTags)
	prefixes, _ := knownStrings(cfg.IgnoreTagPrefixes)
	conventions := shared.TagConventions{IgnorePrefixes: prefixes}
	for i, tag := range defaults {
		if prefix := conventions.IgnoredBy(tag); prefix != "" {
			resp.Diagnostics.AddAttributeError(path.Root("default_tags").AtListIndex(i), "Default Tag Is Ignored",
				fmt.Sprintf("Default tag %q starts with %q, one of ignore_tag_prefixes, so the provider would add it to every server and then ignore it. Remove the tag from default_tags, or the prefix from ignore_tag_prefixes.", tag, prefix))
		}
	}
}

// knownStrings returns a list's strings; known is false when the list or an element is unknown.
// A null list is known and empty.
func knownStrings(l types.List) (values []string, known bool) {
	if l.IsUnknown() {
		return nil, false
	}
	for _, e := range l.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		if !s.IsNull() {
			values = append(values, s.ValueString())
		}
	}
	return values, true
}

func (p *flexmetalProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unknown := map[string]bool{}
	for name, v := range map[string]types.String{"api_key": cfg.APIKey, "base_url": cfg.BaseURL, "poll_interval": cfg.PollInterval} {
		unknown[name] = v.IsUnknown()
	}
	// default_tags may be unknown during plan: servers then plan tags_all as unknown. The
	// ignored prefixes decide what a refresh reports, so they must be known.
	prefixes, known := knownStrings(cfg.IgnoreTagPrefixes)
	unknown["ignore_tag_prefixes"] = !known
	for name, isUnknown := range unknown {
		if isUnknown {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Attribute",
				fmt.Sprintf("The provider's %s depends on a value that is only known after apply. Set it from a variable, a literal or the environment so the provider can be configured during plan.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	apiKey := firstNonEmpty(cfg.APIKey.ValueString(), os.Getenv(shared.EnvAPIKey))
	if strings.TrimSpace(apiKey) == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing FlexMetal API Key",
			"The provider needs a FlexMetal API key. Set api_key in the provider block (for example from a sensitive variable) or set the "+shared.EnvAPIKey+" environment variable. Keys are created in the i3D.net customer portal.")
		return
	}
	baseURL := firstNonEmpty(cfg.BaseURL.ValueString(), os.Getenv(shared.EnvBaseURL), flexmetal.DefaultBaseURL)
	if cfg.BaseURL.ValueString() == "" {
		// The schema validator only sees the attribute; check the environment's value here.
		if msg := shared.CheckBaseURL(baseURL); msg != "" {
			resp.Diagnostics.AddAttributeError(path.Root("base_url"), "Invalid FlexMetal Base URL",
				fmt.Sprintf("The %s environment variable is %q: %s", shared.EnvBaseURL, baseURL, msg))
			return
		}
	}
	pollInterval := flexmetal.DefaultPollInterval
	if s := cfg.PollInterval.ValueString(); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("poll_interval"), "Invalid Poll Interval", err.Error())
			return
		}
		pollInterval = d
	}

	opts := []flexmetal.Option{
		flexmetal.WithBaseURL(baseURL),
		flexmetal.WithAPIKey(apiKey),
		flexmetal.WithUserAgent(fmt.Sprintf("terraform-provider-flexmetal/%s (+https://registry.terraform.io/providers/flexmetal/flexmetal; %s)", p.version, req.TerraformVersion)),
		flexmetal.WithPollInterval(pollInterval),
		flexmetal.WithRequestLogger(logRequest),
		flexmetal.WithRetryLogger(logRetry),
		flexmetal.WithWarningLogger(func(ctx context.Context, msg string, fields map[string]any) { tflog.Warn(ctx, msg, fields) }),
	}
	client, err := flexmetal.NewClient(append(opts, p.clientOptions...)...)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create FlexMetal Client", err.Error())
		return
	}
	defaults, known := knownStrings(cfg.DefaultTags)
	slices.Sort(defaults)
	tags := shared.TagConventions{Default: slices.Compact(defaults), DefaultUnknown: !known, IgnorePrefixes: prefixes}
	data := &shared.ProviderData{
		Client:  client,
		Catalog: p.catalogs.Get(baseURL, apiKey, client),
		Quota:   shared.NewQuotaPlanner(client.Account.Quotas),
		Orders: shared.NewUnrecordedOrders(func(ctx context.Context) ([]*flexmetal.Server, error) {
			return client.Servers.List(ctx, flexmetal.ListServersOptions{})
		}),
		Reports:      shared.NewRunReports(),
		Availability: shared.NewAvailabilityPlanner(),
		Tags:         tags,
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

// logRequest writes one line per HTTP attempt at DEBUG; the key never reaches it.
func logRequest(ctx context.Context, e flexmetal.RequestLog) {
	fields := map[string]any{
		"method":      e.Method,
		"path":        e.Path,
		"status":      e.Status,
		"duration_ms": e.Duration.Milliseconds(),
		"attempt":     e.Attempt,
	}
	if e.Query != "" {
		fields["query"] = e.Query
	}
	if e.Err != nil {
		fields["error"] = e.Err.Error()
	}
	tflog.Debug(ctx, "FlexMetal API request", fields)
}

// logRetry makes every retry, and an order being settled after an interrupt, visible at WARN: a
// slow or failing API must not look like a hang.
func logRetry(ctx context.Context, e flexmetal.RetryLog) {
	fields := map[string]any{"method": e.Method, "path": e.Path, "attempt": e.Attempt, "wait": e.Wait.String()}
	if e.Err != nil {
		fields["error"] = e.Err.Error()
	}
	if e.Settling {
		tflog.Warn(ctx, "Interrupted while a FlexMetal server order may have reached the API: waiting for its outcome so that the server is recorded, not lost", fields)
		return
	}
	tflog.Warn(ctx, "FlexMetal API request failed; retrying", fields)
}

func (p *flexmetalProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		server.NewRootPasswordEphemeralResource,
	}
}

func (p *flexmetalProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		server.NewResource,
		sshkey.NewResource,
		account.NewTagResource,
	}
}

func (p *flexmetalProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		catalog.NewLocationsDataSource,
		catalog.NewLocationDataSource,
		catalog.NewInstanceTypesDataSource,
		catalog.NewPlansDataSource,
		catalog.NewInstanceTypeDataSource,
		catalog.NewOperatingSystemsDataSource,
		catalog.NewOperatingSystemDataSource,
		sshkey.NewDataSourceList,
		sshkey.NewDataSource,
		server.NewDataSourceList,
		account.NewQuotaDataSource,
		account.NewCapacityCommitsDataSource,
		account.NewUsageDataSource,
		account.NewTagsDataSource,
	}
}

// ListResources are what `terraform query` lists (Terraform 1.14 and later), one per resource
// type that can be adopted.
func (p *flexmetalProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		server.NewListResource,
		sshkey.NewListResource,
	}
}

// Actions are invoked with terraform apply -invoke or an action_trigger (Terraform 1.14 and later).
func (p *flexmetalProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		server.NewReinstallAction,
	}
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
