package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// fakeAWS stands in for hashicorp/aws, which the secrets guide stores the Windows root password
// with: only the two Secrets Manager resources the guide uses, with the write-only
// secret_string_wo. It records every secret string it is sent.
type fakeAWS struct {
	mu   sync.Mutex
	sent map[string][]string // secret id → the secret strings sent for it, in order
}

// serveFakeAWS serves a fakeAWS in this process until the test ends and returns it with the
// TF_REATTACH_PROVIDERS entry that makes terraform use it as registry.terraform.io/hashicorp/aws,
// with no init and no registry.
func serveFakeAWS(t *testing.T) (*fakeAWS, string) {
	t.Helper()
	// A provider served in this process logs at TRACE to the test's stderr: terraform, which
	// filters the logs of a provider it launches, is not in between.
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		t.Setenv(v, "off")
	}
	p := &fakeAWS{sent: map[string][]string{}}
	env, stop, err := tfrun.ServeProvider(context.Background(), "registry.terraform.io", providerserver.NewProtocol6(p))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// ServeProvider keys its entry by the FlexMetal provider's address: give it AWS's.
	var entries map[string]json.RawMessage
	if err := json.Unmarshal([]byte(strings.TrimPrefix(env, "TF_REATTACH_PROVIDERS=")), &entries); err != nil || len(entries) != 1 {
		t.Fatalf("unexpected reattach entry %q: %v", env, err)
	}
	for _, entry := range entries {
		raw, err := json.Marshal(map[string]json.RawMessage{"registry.terraform.io/hashicorp/aws": entry})
		if err != nil {
			t.Fatal(err)
		}
		env = "TF_REATTACH_PROVIDERS=" + string(raw)
	}
	return p, env
}

// secretStrings returns the secret strings sent for secretID.
func (p *fakeAWS) secretStrings(secretID string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.sent[secretID]...)
}

func (p *fakeAWS) record(secretID, secret string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent[secretID] = append(p.sent[secretID], secret)
}

func (p *fakeAWS) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "aws"
}

func (p *fakeAWS) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (p *fakeAWS) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *fakeAWS) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (p *fakeAWS) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return fakeSecret{} },
		func() resource.Resource { return fakeSecretVersion{p} },
	}
}

var _ provider.Provider = (*fakeAWS)(nil)

// fakeSecret is aws_secretsmanager_secret: a name, and an ARN as its id.
type fakeSecret struct{}

type fakeSecretModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
}

func (fakeSecret) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secretsmanager_secret"
}

func (fakeSecret) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":   schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"name": schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
	}}
}

func (fakeSecret) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m fakeSecretModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue("arn:aws:secretsmanager:eu-west-1:000000000000:secret:" + m.Name.ValueString())
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (fakeSecret) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (fakeSecret) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, req.Plan.Raw)...)
}

func (fakeSecret) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// fakeSecretVersion is aws_secretsmanager_secret_version with the write-only secret string:
// sent on create and whenever secret_string_wo_version changes.
type fakeSecretVersion struct{ p *fakeAWS }

type fakeSecretVersionModel struct {
	ID              types.String `tfsdk:"id"`
	SecretID        types.String `tfsdk:"secret_id"`
	SecretStringWO  types.String `tfsdk:"secret_string_wo"`
	SecretWOVersion types.Int64  `tfsdk:"secret_string_wo_version"`
}

func (fakeSecretVersion) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_secretsmanager_secret_version"
}

func (fakeSecretVersion) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                       schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"secret_id":                schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"secret_string_wo":         schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
		"secret_string_wo_version": schema.Int64Attribute{Optional: true},
	}}
}

func (r fakeSecretVersion) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m fakeSecretVersionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	r.send(ctx, req.Config, m.SecretID.ValueString(), &resp.Diagnostics)
	m.ID = types.StringValue(fmt.Sprintf("%s|%d", m.SecretID.ValueString(), m.SecretWOVersion.ValueInt64()))
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (fakeSecretVersion) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r fakeSecretVersion) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state fakeSecretVersionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if !plan.SecretWOVersion.Equal(state.SecretWOVersion) {
		r.send(ctx, req.Config, plan.SecretID.ValueString(), &resp.Diagnostics)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (fakeSecretVersion) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// send records the configured secret_string_wo: write-only values are only in the configuration.
func (r fakeSecretVersion) send(ctx context.Context, config tfsdk.Config, secretID string, diags *diag.Diagnostics) {
	var secret types.String
	diags.Append(config.GetAttribute(ctx, path.Root("secret_string_wo"), &secret)...)
	r.p.record(secretID, secret.ValueString())
}
