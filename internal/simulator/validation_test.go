package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func properties(e ErrorResponse) []string {
	out := make([]string, len(e.Errors))
	for i, d := range e.Errors {
		out[i] = d.Property
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func TestCreate_ValidationNamesEachBadProperty(t *testing.T) {
	h := newHarness(t, Config{})
	stored, err := h.sim.AddSSHKey("laptop", ExamplePublicKeyRSA)
	if err != nil {
		t.Fatal(err)
	}
	manyTags := make([]string, MaxTags+1)
	for i := range manyTags {
		manyTags[i] = fmt.Sprintf("t%d", i)
	}

	tests := []struct {
		name   string
		mutate func(*CreateServerRequest)
		want   []string // properties; nil means the request is valid
	}{
		{"valid", func(*CreateServerRequest) {}, nil},
		{"name required", func(r *CreateServerRequest) { r.Name = "" }, []string{"name"}},
		{"blank name", func(r *CreateServerRequest) { r.Name = "   " }, []string{"name"}},
		{"location required", func(r *CreateServerRequest) { r.Location = "" }, []string{"location"}},
		{"unknown location", func(r *CreateServerRequest) { r.Location = "EU: Atlantis" }, []string{"location"}},
		{"location by short name is not accepted", func(r *CreateServerRequest) { r.Location = "rtm" }, []string{"location"}},
		{"instance type required", func(r *CreateServerRequest) { r.InstanceType = "" }, []string{"instanceType"}},
		{"unknown instance type", func(r *CreateServerRequest) { r.InstanceType = "bm1.tiny.1" }, []string{"instanceType"}},
		{"instance type not at location", func(r *CreateServerRequest) {
			r.Location, r.InstanceType = LocationDubai, InstanceTypeBM7Std8
		}, []string{"instanceType"}},
		{"instance type available at other location", func(r *CreateServerRequest) {
			r.Location, r.InstanceType = LocationDubai, InstanceTypeBM9Hmm32
		}, nil},
		{"empty os object", func(r *CreateServerRequest) { r.OS = OSRequest{} }, []string{"os.slug"}},
		{"os slug required", func(r *CreateServerRequest) { r.OS.Slug = "" }, []string{"os.slug"}},
		{"unknown os", func(r *CreateServerRequest) { r.OS.Slug = "plan9-os" }, []string{"os.slug"}},
		{"inactive os", func(r *CreateServerRequest) { r.OS.Slug = OSCentOS7 }, []string{"os.slug"}},
		{"os not for flexmetal", func(r *CreateServerRequest) { r.OS.Slug = OSWindows2022 }, []string{"os.slug"}},
		{"custom-ipxe needs url", func(r *CreateServerRequest) { r.OS.Slug = OSCustomIPXE }, []string{"os.ipxeScriptUrl"}},
		{"custom-ipxe with url", func(r *CreateServerRequest) {
			r.OS.Slug, r.OS.IPXEScriptURL = OSCustomIPXE, "https://example.org/boot.ipxe"
		}, nil},
		{"custom-ipxe with non-http url", func(r *CreateServerRequest) {
			r.OS.Slug, r.OS.IPXEScriptURL = OSCustomIPXE, "ftp://example.org/boot.ipxe"
		}, []string{"os.ipxeScriptUrl"}},
		{"ipxe url refused for other os", func(r *CreateServerRequest) { r.OS.IPXEScriptURL = "https://example.org/boot.ipxe" }, []string{"os.ipxeScriptUrl"}},
		{"kernel param key required", func(r *CreateServerRequest) {
			r.OS.Slug = OSTalosOmni184
			r.OS.KernelParams = []KernelParam{{Key: "siderolink.api", Value: "https://omni"}, {Key: "", Value: "x"}}
		}, []string{"os.kernelParams[1].key"}},
		{"valid partitions", func(r *CreateServerRequest) {
			r.OS.Partitions = []Partition{{Target: "/", Filesystem: "ext4", Size: 10240}, {Target: "/data", Filesystem: "xfs", Size: -1}}
		}, nil},
		{"partition filesystem", func(r *CreateServerRequest) {
			r.OS.Partitions = []Partition{{Target: "/", Filesystem: "ntfs", Size: 10}}
		}, []string{"os.partitions[0].filesystem"}},
		{"partition target", func(r *CreateServerRequest) {
			r.OS.Partitions = []Partition{{Target: "/", Filesystem: "ext4", Size: 10}, {Target: "data", Filesystem: "ext3", Size: 10}}
		}, []string{"os.partitions[1].target"}},
		{"partition size zero", func(r *CreateServerRequest) {
			r.OS.Partitions = []Partition{{Target: "/", Filesystem: "ext2", Size: 0}}
		}, []string{"os.partitions[0].size"}},
		{"partition size below -1", func(r *CreateServerRequest) {
			r.OS.Partitions = []Partition{{Target: "/", Filesystem: "ext2", Size: -2}}
		}, []string{"os.partitions[0].size"}},
		{"ssh key required", func(r *CreateServerRequest) { r.SSHKey = nil }, []string{"sshKey"}},
		{"ssh key empty list", func(r *CreateServerRequest) { r.SSHKey = []string{} }, []string{"sshKey"}},
		{"windows needs no ssh key", func(r *CreateServerRequest) { r.OS.Slug, r.SSHKey = OSWindows2025, nil }, nil},
		{"talos takes an empty key list", func(r *CreateServerRequest) { r.OS.Slug, r.SSHKey = OSTalosOmni184, []string{} }, nil},
		{"keys sent for windows are still checked", func(r *CreateServerRequest) { r.OS.Slug, r.SSHKey = OSWindows2025, []string{"nope"} }, []string{"sshKey[0]"}},
		{"linux needs a key", func(r *CreateServerRequest) { r.OS.Slug, r.SSHKey = OSDebian12, []string{} }, []string{"sshKey"}},
		{"unknown os is not keyless", func(r *CreateServerRequest) { r.OS.Slug, r.SSHKey = "talos-unknown", nil }, []string{"os.slug", "sshKey"}},
		{"ssh key by stored uuid", func(r *CreateServerRequest) { r.SSHKey = []string{stored.UUID, ExamplePublicKeyECDSA} }, nil},
		{"ssh key unknown uuid", func(r *CreateServerRequest) {
			r.SSHKey = []string{ExamplePublicKeyECDSA, "7561c39d-f4df-4c46-b3f1-2ac981271e29"}
		}, []string{"sshKey[1]"}},
		{"ssh key garbage", func(r *CreateServerRequest) { r.SSHKey = []string{"hello"} }, []string{"sshKey[0]"}},
		{"ssh private key", func(r *CreateServerRequest) {
			r.SSHKey = []string{"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----"}
		}, []string{"sshKey[0]"}},
		{"tags valid and duplicates collapse", func(r *CreateServerRequest) { r.Tags = []string{"My-tag1", "env:dev", "env:dev", "a_b"} }, nil},
		{"bad tags reported by index", func(r *CreateServerRequest) {
			r.Tags = []string{"ok", "has space", "ok2", "slash/no", strings.Repeat("x", 65)}
		}, []string{"tags[1]", "tags[3]", "tags[4]"}},
		{"empty tag", func(r *CreateServerRequest) { r.Tags = []string{""} }, []string{"tags[0]"}},
		{"64-char tag allowed", func(r *CreateServerRequest) { r.Tags = []string{strings.Repeat("x", 64)} }, nil},
		{"too many tags", func(r *CreateServerRequest) { r.Tags = manyTags }, []string{"tags"}},
		{"60 tags after collapsing duplicates", func(r *CreateServerRequest) { r.Tags = append(manyTags[:MaxTags:MaxTags], "t0", "t1") }, nil},
		{"contract id valid", func(r *CreateServerRequest) { r.ContractID = ptr("MY-CONTRACT_1.2") }, nil},
		{"contract id empty", func(r *CreateServerRequest) { r.ContractID = ptr("") }, nil},
		{"contract id lowercase", func(r *CreateServerRequest) { r.ContractID = ptr("my-contract") }, []string{"contractId"}},
		{"contract id too long", func(r *CreateServerRequest) { r.ContractID = ptr(strings.Repeat("A", 241)) }, []string{"contractId"}},
		{"several problems at once", func(r *CreateServerRequest) {
			r.Name, r.Location, r.OS.Slug, r.SSHKey = "", "nowhere", "", nil
		}, []string{"name", "location", "os.slug", "sshKey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := validRequest("validate-me")
			req.OS = OSRequest{Slug: OSUbuntu2404}
			tt.mutate(&req)
			r := h.do(http.MethodPost, "/v3/flexMetal/servers", req)
			if tt.want == nil {
				r.expect(t, http.StatusOK)
				return
			}
			e := r.expect(t, http.StatusUnprocessableEntity).apiError(t)
			if e.ErrorCode != ErrCodeValidation {
				t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeValidation)
			}
			if got := properties(e); !slices.Equal(got, tt.want) {
				t.Fatalf("properties %v, want %v (%s)", got, tt.want, r.body)
			}
			for _, d := range e.Errors {
				if d.Message == "" {
					t.Fatalf("property %s has no message", d.Property)
				}
			}
		})
	}
}

func TestCreate_MissingOSObject(t *testing.T) {
	h := newHarness(t, Config{})
	key, _ := json.Marshal(ExamplePublicKeyEd25519)
	for _, os := range []string{``, `"os": null,`} {
		body := `{"name": "x", "location": "EU: Rotterdam", "instanceType": "bm7.std.8", ` + os + ` "sshKey": [` + string(key) + `]}`
		e := h.do(http.MethodPost, "/v3/flexMetal/servers", body).expect(t, http.StatusUnprocessableEntity).apiError(t)
		if got := properties(e); !slices.Equal(got, []string{"os"}) {
			t.Fatalf("body %s: properties %v, want [os]", body, got)
		}
	}
	req := validRequest("x")
	req.OS = OSRequest{}
	var apiErr *APIError
	if _, err := h.sim.AddServer(req); !errorsAs(err, &apiErr) || apiErr.Details[0].Property != "os" {
		t.Fatalf("AddServer with zero OS: %v, want an error on os", err)
	}
}

func TestCreate_StoresWhatTheRequestCarried(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("full")
	req.OS = OSRequest{
		Slug:         OSTalosOmni184,
		KernelParams: []KernelParam{{Key: "siderolink.api", Value: "https://omni.example"}},
		Partitions:   []Partition{{Target: "/", Filesystem: "xfs", Size: -1}},
	}
	req.PostInstallScript = "#!/bin/bash\necho hi"
	req.Tags = []string{"b", "a", "b"}
	req.ContractID = ptr("MY-CONTRACT-123")
	req.Overflow = true
	got := h.create(req)
	if !slices.Equal(got.Tags, []string{"b", "a"}) {
		t.Fatalf("tags %v, want duplicates collapsed in order [b a]", got.Tags)
	}
	if got.ContractID == nil || *got.ContractID != "MY-CONTRACT-123" {
		t.Fatalf("contractId %v", got.ContractID)
	}
	if got.Location != (LocationRef{ID: LocationRotterdamID, Name: LocationRotterdam}) || got.InstanceType != (InstanceTypeRef{ID: 129, Name: InstanceTypeBM7Std8}) {
		t.Fatalf("location/instanceType %+v %+v", got.Location, got.InstanceType)
	}
	snap, ok := h.sim.Server(got.UUID)
	if !ok {
		t.Fatal("Server() does not find the new server")
	}
	if snap.PostInstallScript != req.PostInstallScript || !snap.Overflow || snap.OSSlug != OSTalosOmni184 ||
		!slices.Equal(snap.KernelParams, req.OS.KernelParams) || !slices.Equal(snap.Partitions, req.OS.Partitions) ||
		!slices.Equal(snap.SSHKeys, req.SSHKey) || snap.ContractID != "MY-CONTRACT-123" {
		t.Fatalf("snapshot does not match request: %+v", snap)
	}
}

func TestCreate_ContractIDAbsentIsNull(t *testing.T) {
	h := newHarness(t, Config{})
	r := h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("x")).expect(t, http.StatusOK)
	if !strings.Contains(string(r.body), `"contractId":null`) || !strings.Contains(string(r.body), `"deliveredAt":null`) {
		t.Fatalf("want null contractId and deliveredAt in %s", r.body)
	}
}

func TestCreate_MalformedBodyIs400(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name, body string
		property   string
	}{
		{"empty", "", ""},
		{"not json", "name=x", ""},
		{"truncated", `{"name": "x"`, ""},
		{"wrong type", `{"name": 5}`, ""},
		{"trailing data", `{"name": "x"} {}`, ""},
		{"unknown property", `{"name": "x", "sshKeys": []}`, "sshKeys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := h.do(http.MethodPost, "/v3/flexMetal/servers", tt.body).expect(t, http.StatusBadRequest).apiError(t)
			if e.ErrorCode != ErrCodeBadRequest {
				t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeBadRequest)
			}
			if tt.property != "" && (len(e.Errors) != 1 || e.Errors[0].Property != tt.property) {
				t.Fatalf("errors %+v, want one naming %s", e.Errors, tt.property)
			}
		})
	}
	if n := len(h.sim.Servers()); n != 0 {
		t.Fatalf("%d servers created by malformed requests", n)
	}
}

func TestAddServer_SameValidationAsHTTP(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("")
	req.Tags = []string{"bad tag"}
	_, err := h.sim.AddServer(req)
	var apiErr *APIError
	if !errorsAs(err, &apiErr) || apiErr.Status != http.StatusUnprocessableEntity {
		t.Fatalf("err %v, want a 422 *APIError", err)
	}
	if got := []string{apiErr.Details[0].Property, apiErr.Details[1].Property}; !slices.Equal(got, []string{"name", "tags[0]"}) {
		t.Fatalf("details %+v", apiErr.Details)
	}
}

func TestValidPublicKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{ExamplePublicKeyEd25519, true},
		{ExamplePublicKeyRSA, true},
		{ExamplePublicKeyECDSA, true},
		{ExamplePublicKeyEd25519 + "\n", true},
		{strings.Fields(ExamplePublicKeyEd25519)[0] + " " + strings.Fields(ExamplePublicKeyEd25519)[1], true},
		{"ssh-ed25519", false},
		{"ssh-ed25519 not-base64!", false},
		{"ssh-rsa " + strings.Fields(ExamplePublicKeyEd25519)[1], false}, // blob says ed25519
		{"ssh-dss AAAAB3NzaC1kc3MAAACBAP", false},
		{"-----BEGIN OPENSSH PRIVATE KEY-----", false},
		{ExamplePublicKeyEd25519 + "\n" + ExamplePublicKeyRSA, false},
		{"", false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if got := ValidPublicKey(tt.key); got != tt.want {
				t.Fatalf("ValidPublicKey(%q) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}
