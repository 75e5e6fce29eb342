package sshkey

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

const modelTestKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOAUpK7ntF+clmASHabrz5pRbGPj0oDqDK6WJsIeHddS me@host"

// testKeyECDSA384 is a real P-384 key (ssh-keygen -t ecdsa -b 384).
const testKeyECDSA384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBBzgWg/DqFGjIgKlhN58N0qVHxcWc15EWfgJ+Aa09j6n3F6UoQJJPMuZhq5fuTPQhVVEjPP65iCFQh7bqZD4mtChjlLONfN+JXhtuC1dXa+cUTAuJ8X8ZQ6pBI0+AKqHQw== t"

// TestFingerprintValue compares with what ssh-keygen -l printed for the same keys.
func TestFingerprintValue(t *testing.T) {
	cases := []struct {
		name, key string
		want      types.String
	}{
		{"ed25519", modelTestKey, types.StringValue("SHA256:Cs3jyi8LX+sh3JQQk3I+BMbkOov8M1PQeVRur6H4WF0")},
		{"ed25519 with trailing newline", modelTestKey + "\n", types.StringValue("SHA256:Cs3jyi8LX+sh3JQQk3I+BMbkOov8M1PQeVRur6H4WF0")},
		{"ecdsa 256", simulator.ExamplePublicKeyECDSA, types.StringValue("SHA256:MlVQA8ahFgFCaPXL1nZqXsDX0I2amUYSMlgQFS1aXVI")},
		{"ecdsa 384", testKeyECDSA384, types.StringValue("SHA256:Z+Ok4Izazx6sDjOSjA4EUDF/5XizWmN1uuJvIgnzU3I")},
		{"rsa 3072", simulator.ExamplePublicKeyRSA, types.StringValue("SHA256:9BN0PoUvQIFnUinAuJcaSlr8wQuhS2znpQW2+gRVvU8")},
		{"not a key", "hunter2", types.StringNull()},
		{"type differs from the data", "ssh-rsa " + strings.Fields(modelTestKey)[1], types.StringNull()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := fingerprintValue(c.key); !got.Equal(c.want) {
				t.Errorf("fingerprintValue = %s, want %s", got, c.want)
			}
		})
	}
}

func TestNewSSHKeyModel(t *testing.T) {
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	cases := []struct {
		name string
		in   flexmetal.SSHKey
		want sshKeyModel
	}{
		{
			"full",
			flexmetal.SSHKey{UUID: "k-1", Name: "deploy", PublicKey: modelTestKey, CreatedAt: created},
			sshKeyModel{ID: types.StringValue("k-1"), Name: types.StringValue("deploy"), PublicKey: types.StringValue(modelTestKey), Fingerprint: types.StringValue("SHA256:Cs3jyi8LX+sh3JQQk3I+BMbkOov8M1PQeVRur6H4WF0"), CreatedAt: types.StringValue("2025-03-04T04:06:07Z")},
		},
		{
			"no creation time",
			flexmetal.SSHKey{UUID: "k-2", Name: "n", PublicKey: modelTestKey},
			sshKeyModel{ID: types.StringValue("k-2"), Name: types.StringValue("n"), PublicKey: types.StringValue(modelTestKey), Fingerprint: types.StringValue("SHA256:Cs3jyi8LX+sh3JQQk3I+BMbkOov8M1PQeVRur6H4WF0"), CreatedAt: types.StringNull()},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := newSSHKeyModel(&c.in); got != c.want {
				t.Errorf("newSSHKeyModel = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestSSHKeyModelApplySSHKey(t *testing.T) {
	api := &flexmetal.SSHKey{UUID: "k-1", Name: "deploy", PublicKey: modelTestKey, CreatedAt: time.Unix(1700000000, 0)}
	cases := []struct {
		name  string
		state types.String
		want  types.String
	}{
		{"same key kept", types.StringValue(modelTestKey), types.StringValue(modelTestKey)},
		{"trailing newline from file() kept", types.StringValue(modelTestKey + "\n"), types.StringValue(modelTestKey + "\n")},
		{"surrounding spaces kept", types.StringValue("  " + modelTestKey + " \n"), types.StringValue("  " + modelTestKey + " \n")},
		{"another key is drift", types.StringValue("ssh-ed25519 AAAAother me@host\n"), types.StringValue(modelTestKey)},
		{"another comment is drift", types.StringValue(strings.Replace(modelTestKey, "me@host", "you@host", 1)), types.StringValue(modelTestKey)},
		{"import has no state value", types.StringNull(), types.StringValue(modelTestKey)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := sshKeyModel{ID: types.StringValue("k-1"), PublicKey: c.state}
			m.applySSHKey(api)
			if !m.PublicKey.Equal(c.want) {
				t.Errorf("public_key = %s, want %s", m.PublicKey, c.want)
			}
			if m.Name.ValueString() != "deploy" || m.ID.ValueString() != "k-1" || m.CreatedAt.ValueString() != "2023-11-14T22:13:20Z" {
				t.Errorf("model = %+v, want the API's name, id and created_at", m)
			}
		})
	}
}

func TestOpenSSHPublicKeyValidator(t *testing.T) {
	cases := []struct {
		name    string
		value   types.String
		problem string // "" when the value is accepted
	}{
		{"ed25519", types.StringValue(modelTestKey), ""},
		{"no comment", types.StringValue(strings.Join(strings.Fields(modelTestKey)[:2], " ")), ""},
		{"rsa with padding", types.StringValue(simulator.ExamplePublicKeyRSA + " a b c"), ""},
		{"ecdsa 384", types.StringValue(testKeyECDSA384), ""},
		{"ecdsa point not on the curve", types.StringValue("ecdsa-sha2-nistp384 " + keyBlob("ecdsa-sha2-nistp384", "nistp384", strings.Repeat("p", 97))), "truncated or corrupt"},
		{"security key", types.StringValue("sk-ssh-ed25519@openssh.com " + keyBlob("sk-ssh-ed25519@openssh.com", strings.Repeat("k", 32), "ssh:") + " user"), ""},
		{"truncated", types.StringValue(modelTestKey[:60]), "truncated or corrupt"},
		{"ed25519 key of the wrong size", types.StringValue("ssh-ed25519 " + keyBlob("ssh-ed25519", strings.Repeat("k", 31))), "truncated or corrupt"},
		{"type differs from the data", types.StringValue("ssh-rsa " + strings.Fields(modelTestKey)[1]), "does not decode to a complete ssh-rsa key"},
		{"trailing newline", types.StringValue(modelTestKey + "\n"), ""},
		{"null", types.StringNull(), ""},
		{"unknown", types.StringUnknown(), ""},
		{"private key left to NotPrivateKeyValidator", types.StringValue("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----"), ""},
		{"empty", types.StringValue(" \n"), "is empty"},
		{"password", types.StringValue("hunter2"), `starts with "hunter2", which is not an OpenSSH key type`},
		{"long first word is cut", types.StringValue(strings.Repeat("x", 40) + " AAAA"), `starts with "xxxxxxxxxxxxxxxxxxxxxxxx…"`},
		{"unsupported type", types.StringValue("ssh-foo AAAA"), `starts with "ssh-foo"`},
		{"type only", types.StringValue("ssh-ed25519"), "has a key type but no key data"},
		{"not base64", types.StringValue("ssh-ed25519 AAAA$$$$ me"), "not base64"},
		{"two spaces", types.StringValue("ssh-ed25519  AAAA"), "not base64"},
		{"two keys", types.StringValue(modelTestKey + "\n" + modelTestKey), "spans several lines"},
		{"rfc 4716", types.StringValue("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----"), "RFC 4716"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := validator.StringRequest{Path: path.Root("public_key"), ConfigValue: c.value}
			var resp validator.StringResponse
			shared.OpenSSHPublicKeyValidator().ValidateString(context.Background(), req, &resp)
			switch {
			case c.problem == "" && resp.Diagnostics.HasError():
				t.Errorf("refused: %v", resp.Diagnostics)
			case c.problem != "" && !resp.Diagnostics.HasError():
				t.Errorf("accepted, want an error saying %q", c.problem)
			case c.problem != "":
				detail := resp.Diagnostics.Errors()[0].Detail()
				if !strings.Contains(detail, "The public_key "+c.problem) && !strings.Contains(detail, c.problem) {
					t.Errorf("detail %q does not say %q", detail, c.problem)
				}
				if !strings.Contains(detail, `file("~/.ssh/id_ed25519.pub")`) {
					t.Errorf("detail %q does not say how to fix it", detail)
				}
			}
		})
	}
}

// keyBlob encodes an OpenSSH public key blob: each field length-prefixed, base64 over all.
func keyBlob(fields ...string) string {
	var b []byte
	for _, f := range fields {
		b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return base64.StdEncoding.EncodeToString(b)
}
