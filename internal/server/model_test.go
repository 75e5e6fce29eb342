package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func osValue(t *testing.T, slug string, params []kernelParamModel, parts []partitionModel, ipxe types.String) types.Object {
	t.Helper()
	ctx := context.Background()
	osTypes := serverOSAttrTypes()
	kp := nullList(osTypes["kernel_params"])
	if params != nil {
		var d diag.Diagnostics
		kp, d = types.ListValueFrom(ctx, kp.ElementType(ctx), params)
		failOn(t, d)
	}
	pp := nullList(osTypes["partitions"])
	if parts != nil {
		var d diag.Diagnostics
		pp, d = types.ListValueFrom(ctx, pp.ElementType(ctx), parts)
		failOn(t, d)
	}
	obj, d := types.ObjectValueFrom(ctx, osTypes, serverOSModel{Slug: types.StringValue(slug), KernelParams: kp, Partitions: pp, IPXEScriptURL: ipxe})
	failOn(t, d)
	return obj
}

func stringSet(t *testing.T, values ...string) types.Set {
	t.Helper()
	s, d := types.SetValueFrom(context.Background(), types.StringType, values)
	failOn(t, d)
	return s
}

func stringList(t *testing.T, values ...string) types.List {
	t.Helper()
	l, d := types.ListValueFrom(context.Background(), types.StringType, values)
	failOn(t, d)
	return l
}

// failOn stops the test on error diagnostics.
func failOn(t *testing.T, diags diag.Diagnostics) {
	t.Helper()
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
}

func TestServerModelToCreateRequest(t *testing.T) {
	m := serverModel{
		Name:         types.StringValue("web-1"),
		Location:     types.StringValue("EU: Rotterdam"),
		InstanceType: types.StringValue("bm7.std.8"),
		OS: osValue(t, "talos-omni-184",
			[]kernelParamModel{{Key: types.StringValue("siderolink.api"), Value: types.StringValue("https://omni.example")}},
			[]partitionModel{{Target: types.StringValue("/data"), Filesystem: types.StringValue("xfs"), Size: types.Int64Value(-1)}},
			types.StringNull()),
		SSHKeys:           stringList(t, simulator.ExamplePublicKeyEd25519, "7561c39d-0000-4000-8000-000000000001"),
		PostInstallScript: types.StringValue("#!/bin/sh\ntrue"),
		Tags:              stringSet(t, "role_web", "env:prod"),
		// As planned: tags and the provider's default_tags, which the order carries.
		TagsAll:    stringSet(t, "role_web", "env:prod", "team:infra"),
		ContractID: types.StringValue("POOL-1"),
		Overflow:   types.BoolValue(true),
	}
	got, diags := m.toCreateRequest(context.Background())
	failOn(t, diags)
	want := flexmetal.CreateServerRequest{
		Name: "web-1", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{
			Slug:         "talos-omni-184",
			KernelParams: []flexmetal.KernelParam{{Key: "siderolink.api", Value: "https://omni.example"}},
			Partitions:   []flexmetal.Partition{{Target: "/data", Filesystem: "xfs", Size: -1}},
		},
		SSHKeys:           []string{simulator.ExamplePublicKeyEd25519, "7561c39d-0000-4000-8000-000000000001"},
		PostInstallScript: "#!/bin/sh\ntrue",
		Tags:              []string{"env:prod", "role_web", "team:infra"},
		ContractID:        "POOL-1",
		Overflow:          true,
	}
	if !slices.Equal(got.Tags, want.Tags) || !slices.Equal(got.SSHKeys, want.SSHKeys) ||
		!slices.Equal(got.OS.KernelParams, want.OS.KernelParams) || !slices.Equal(got.OS.Partitions, want.OS.Partitions) ||
		got.Name != want.Name || got.Location != want.Location || got.InstanceType != want.InstanceType ||
		got.OS.Slug != want.OS.Slug || got.OS.IPXEScriptURL != "" || got.PostInstallScript != want.PostInstallScript ||
		got.ContractID != want.ContractID || got.Overflow != want.Overflow {
		t.Errorf("toCreateRequest =\n%+v\nwant\n%+v", got, want)
	}
}

func TestServerModelApplyServer(t *testing.T) {
	delivered := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	api := &flexmetal.Server{
		UUID: "0192aaaa-0000-7000-8000-000000000001", Name: "web-1", Status: "delivered", StatusMessage: "OK",
		Location: "EU: Rotterdam", InstanceType: "bm7.std.8", OSSlug: "ubuntu-2404-lts",
		IPAddresses: []string{"2001:db8::10", "192.0.2.10", "198.51.100.10"},
		Tags:        []string{"z", shared.CreationTagPrefix + "abc", "a"},
		CreatedAt:   delivered.Add(-10 * time.Minute), DeliveredAt: &delivered,
		ContractID: "POOL-1",
	}
	partitions := []partitionModel{{Target: types.StringValue("/"), Filesystem: types.StringValue("ext4"), Size: types.Int64Value(-1)}}

	cases := []struct {
		name  string
		prior serverModel
		check func(t *testing.T, m serverModel)
	}{
		{
			name: "after create keeps what the API does not report",
			prior: serverModel{
				serverReportedModel: serverReportedModel{ID: types.StringUnknown()}, OS: osValue(t, "ubuntu-2404-lts", nil, partitions, types.StringNull()),
				SSHKeys: stringList(t, simulator.ExamplePublicKeyEd25519), PostInstallScript: types.StringValue("echo hi"),
				Tags: stringSet(t, "a", "z"), ContractID: types.StringUnknown(), Overflow: types.BoolNull(),
			},
			check: func(t *testing.T, m serverModel) {
				var osm serverOSModel
				failOn(t, m.OS.As(context.Background(), &osm, shared.ObjectAsOptions))
				if osm.Partitions.IsNull() || len(osm.Partitions.Elements()) != 1 {
					t.Errorf("partitions lost: %v", osm.Partitions)
				}
				if m.PostInstallScript.ValueString() != "echo hi" || len(m.SSHKeys.Elements()) != 1 {
					t.Errorf("unreported inputs changed: %v %v", m.PostInstallScript, m.SSHKeys)
				}
			},
		},
		{
			name:  "after import fills everything the API reports",
			prior: serverModel{serverReportedModel: serverReportedModel{ID: types.StringValue(api.UUID)}, OS: types.ObjectNull(serverOSAttrTypes()), Tags: types.SetNull(types.StringType), SSHKeys: types.ListNull(types.StringType)},
			check: func(t *testing.T, m serverModel) {
				var osm serverOSModel
				failOn(t, m.OS.As(context.Background(), &osm, shared.ObjectAsOptions))
				if osm.Slug.ValueString() != "ubuntu-2404-lts" || !osm.Partitions.IsNull() || !osm.IPXEScriptURL.IsNull() {
					t.Errorf("os = %+v, want the API's slug and null customizations", osm)
				}
				if !m.SSHKeys.IsNull() || !m.PostInstallScript.IsNull() {
					t.Errorf("unreported inputs should stay null after import: %v %v", m.SSHKeys, m.PostInstallScript)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.prior
			failOn(t, m.applyServer(context.Background(), api, shared.TagConventions{}))
			if m.ID.ValueString() != api.UUID || m.Name.ValueString() != "web-1" || m.Location.ValueString() != "EU: Rotterdam" ||
				m.InstanceType.ValueString() != "bm7.std.8" || m.Status.ValueString() != "delivered" || m.StatusMessage.ValueString() != "OK" {
				t.Errorf("reported attributes wrong: %+v", m)
			}
			if m.IPAddress.ValueString() != "192.0.2.10" || m.IPv4Address.ValueString() != "192.0.2.10" || m.IPv6Address.ValueString() != "2001:db8::10" || len(m.IPAddresses.Elements()) != 3 {
				t.Errorf("ip_address = %v, ipv4_address = %v, ipv6_address = %v, ip_addresses = %v", m.IPAddress, m.IPv4Address, m.IPv6Address, m.IPAddresses)
			}
			if want := stringSet(t, "a", "z"); !m.Tags.Equal(want) {
				t.Errorf("tags = %v, want %v (creation tag hidden)", m.Tags, want)
			}
			if m.CreatedAt.ValueString() != "2026-03-04T04:56:07Z" || m.DeliveredAt.ValueString() != "2026-03-04T05:06:07Z" || !m.ReleasedAt.IsNull() {
				t.Errorf("timestamps = %v %v %v", m.CreatedAt, m.DeliveredAt, m.ReleasedAt)
			}
			if m.ContractID.ValueString() != "POOL-1" {
				t.Errorf("contract_id = %v", m.ContractID)
			}
			for name, v := range map[string]attr.Value{"ssh_keys": m.SSHKeys, "post_install_script": m.PostInstallScript, "overflow": m.Overflow, "tags": m.Tags, "contract_id": m.ContractID} {
				if v.IsUnknown() {
					t.Errorf("%s left unknown in state", name)
				}
			}
			c.check(t, m)
		})
	}
}

// TestServerReportedModelFromAPI_addresses: ip_address is the IPv4 address, whatever the order of
// ip_addresses, and each family's attribute is null while the server has none of it.
func TestServerReportedModelFromAPI_addresses(t *testing.T) {
	cases := map[string]struct {
		addresses    []string
		want4, want6 types.String
	}{
		"none yet":          {[]string{}, types.StringNull(), types.StringNull()},
		"both":              {[]string{"192.0.2.1", "2001:db8:0:1::1"}, types.StringValue("192.0.2.1"), types.StringValue("2001:db8:0:1::1")},
		"IPv6 listed first": {[]string{"2001:db8:0:1::1", "192.0.2.1"}, types.StringValue("192.0.2.1"), types.StringValue("2001:db8:0:1::1")},
		"IPv6 only":         {[]string{"2001:db8::7"}, types.StringNull(), types.StringValue("2001:db8::7")},
		"IPv4 only":         {[]string{"198.51.100.7"}, types.StringValue("198.51.100.7"), types.StringNull()},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var m serverReportedModel
			m.fromAPI(&flexmetal.Server{UUID: "s", IPAddresses: c.addresses})
			if !m.IPv4Address.Equal(c.want4) || !m.IPv6Address.Equal(c.want6) || !m.IPAddress.Equal(c.want4) {
				t.Errorf("ip_address %v, ipv4_address %v, ipv6_address %v; want ip_address = ipv4_address = %v, ipv6_address %v",
					m.IPAddress, m.IPv4Address, m.IPv6Address, c.want4, c.want6)
			}
			if len(m.IPAddresses.Elements()) != len(c.addresses) {
				t.Errorf("ip_addresses = %v, want all of %q", m.IPAddresses, c.addresses)
			}
		})
	}
}

func TestServerModelApplyServer_emptyTagsStayNullWhenUnset(t *testing.T) {
	for _, prior := range []types.Set{types.SetNull(types.StringType), stringSet(t)} {
		m := serverModel{OS: types.ObjectNull(serverOSAttrTypes()), Tags: prior}
		failOn(t, m.applyServer(context.Background(), &flexmetal.Server{UUID: "u", Tags: []string{shared.CreationTagPrefix + "x"}}, shared.TagConventions{}))
		if prior.IsNull() != m.Tags.IsNull() || len(m.Tags.Elements()) != 0 {
			t.Errorf("prior %v: tags = %v, want the same emptiness (no drift between null and [])", prior, m.Tags)
		}
	}
}

func TestDiffTags(t *testing.T) {
	cases := []struct {
		a, b, want []string
	}{
		{[]string{"a", "b"}, []string{"b", "c"}, []string{"a"}},
		{[]string{"c", "a"}, nil, []string{"a", "c"}},
		{nil, []string{"a"}, nil},
		{[]string{"a"}, []string{"a"}, nil},
	}
	for _, c := range cases {
		if got := diffTags(c.a, c.b); !slices.Equal(got, c.want) {
			t.Errorf("diffTags(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestChoicesText_namesClosestFirst(t *testing.T) {
	got := shared.ChoicesText("EU: Roterdam", []string{"US: Dallas - TX", "EU: Rotterdam", "JP: Tokyo"})
	want := `Did you mean "EU: Rotterdam"? Valid values: "EU: Rotterdam", "JP: Tokyo", "US: Dallas - TX".`
	if got != want {
		t.Errorf("choicesText = %q, want %q", got, want)
	}
	if got := shared.ChoicesText("x", nil); got == "" {
		t.Error("choicesText with no choices must still explain")
	}
}

// TestServerModelApplyTags: tags keeps what the configuration owns and tags_all what the server
// carries, so neither overlapping nor default tags cause a difference in the next plan.
func TestServerModelApplyTags(t *testing.T) {
	null := types.SetNull(types.StringType)
	defaults := shared.TagConventions{Default: []string{"env:prod", "team:infra"}, IgnorePrefixes: []string{"backup:"}}
	cases := []struct {
		name              string
		tags, tagsAll     types.Set
		reported          []string
		tc                shared.TagConventions
		wantTags, wantAll types.Set
	}{
		{"a tag in both lists stays in tags", stringSet(t, "env:prod", "role:web"), null,
			[]string{"env:prod", "role:web", "team:infra", shared.CreationTagPrefix + "x"}, defaults,
			stringSet(t, "env:prod", "role:web"), stringSet(t, "env:prod", "role:web", "team:infra")},
		{"default tags alone leave unset tags null", null, null,
			[]string{"env:prod", "team:infra"}, defaults, null, stringSet(t, "env:prod", "team:infra")},
		{"a tag set outside Terraform is drift", stringSet(t, "role:web"), null,
			[]string{"role:web", "team:infra", "env:prod", "console"}, defaults,
			stringSet(t, "console", "role:web"), stringSet(t, "console", "env:prod", "role:web", "team:infra")},
		{"ignored tags are in neither", stringSet(t, "role:web"), null,
			[]string{"role:web", "backup:daily", "env:prod", "team:infra"}, defaults,
			stringSet(t, "role:web"), stringSet(t, "env:prod", "role:web", "team:infra")},
		{"a tag removed outside Terraform is drift", stringSet(t, "role:web"), null,
			nil, defaults, shared.StringSetValue(nil), shared.StringSetValue(nil)},
		{"an import leaves default tags out of tags", null, null,
			[]string{"env:prod", "role:web", "team:infra"}, defaults, stringSet(t, "role:web"), stringSet(t, "env:prod", "role:web", "team:infra")},
		{"unknown default_tags are taken to be the previous ones", stringSet(t, "role:web"), stringSet(t, "role:web", "team:infra"),
			[]string{"role:web", "team:infra", "console"}, shared.TagConventions{DefaultUnknown: true},
			stringSet(t, "console", "role:web"), stringSet(t, "console", "role:web", "team:infra")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := serverModel{Tags: c.tags, TagsAll: c.tagsAll}
			m.applyTags(c.reported, c.tc)
			if !m.Tags.Equal(c.wantTags) || !m.TagsAll.Equal(c.wantAll) {
				t.Errorf("tags = %v, tags_all = %v; want %v and %v", m.Tags, m.TagsAll, c.wantTags, c.wantAll)
			}
		})
	}
}
