package simulator

import (
	"net/http"
	"slices"
	"testing"
)

func TestSSHKeys_CRUD(t *testing.T) {
	h := newHarness(t, Config{})
	created := decode[[]SSHKey](t, h.do(http.MethodPost, "/v3/sshKey", CreateSSHKeyRequest{Name: "laptop", PublicKey: ExamplePublicKeyEd25519}).expect(t, http.StatusOK))
	if len(created) != 1 {
		t.Fatalf("create answered %d keys, want 1", len(created))
	}
	k := created[0]
	if !uuidPattern.MatchString(k.UUID) || k.Name != "laptop" || k.PublicKey != ExamplePublicKeyEd25519 || k.CreatedAt != testStart.Unix() {
		t.Fatalf("created key %+v", k)
	}

	got := decode[[]SSHKey](t, h.do(http.MethodGet, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusOK))
	if !slices.Equal(got, []SSHKey{k}) {
		t.Fatalf("get answered %+v, want [%+v]", got, k)
	}
	if all := decode[[]SSHKey](t, h.do(http.MethodGet, "/v3/sshKey", nil)); !slices.Equal(all, []SSHKey{k}) {
		t.Fatalf("list answered %+v", all)
	}

	del := h.do(http.MethodDelete, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusNoContent)
	if len(del.body) != 0 {
		t.Fatalf("DELETE body %q, want empty", del.body)
	}
	h.do(http.MethodGet, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusNotFound)
	h.do(http.MethodDelete, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusNotFound)
	if n := len(h.sim.SSHKeys()); n != 0 {
		t.Fatalf("%d keys left", n)
	}
}

func TestSSHKeys_Validation(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name string
		body any
		want []string
	}{
		{"missing name", CreateSSHKeyRequest{PublicKey: ExamplePublicKeyEd25519}, []string{"name"}},
		{"missing key", CreateSSHKeyRequest{Name: "k"}, []string{"publicKey"}},
		{"private key", CreateSSHKeyRequest{Name: "k", PublicKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"}, []string{"publicKey"}},
		{"not a key", CreateSSHKeyRequest{Name: "k", PublicKey: "ssh-rsa hello"}, []string{"publicKey"}},
		{"both", map[string]string{}, []string{"name", "publicKey"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := h.do(http.MethodPost, "/v3/sshKey", tt.body).expect(t, http.StatusUnprocessableEntity).apiError(t)
			if e.ErrorCode != ErrCodeValidation || !slices.Equal(properties(e), tt.want) {
				t.Fatalf("got %+v, want validation errors on %v", e, tt.want)
			}
		})
	}
	h.do(http.MethodPost, "/v3/sshKey", `{"name":`).expect(t, http.StatusBadRequest)
}

func TestSSHKeys_ReadOnlyFieldsInRequestAreIgnored(t *testing.T) {
	h := newHarness(t, Config{})
	body := `{"uuid":"7561c39d-f4df-4c46-b3f1-2ac981271e29","createdAt":1,"name":"k","publicKey":"` + ExamplePublicKeyECDSA + `"}`
	k := decode[[]SSHKey](t, h.do(http.MethodPost, "/v3/sshKey", body).expect(t, http.StatusOK))[0]
	if k.UUID == "7561c39d-f4df-4c46-b3f1-2ac981271e29" || k.CreatedAt == 1 {
		t.Fatalf("client-chosen read-only fields were kept: %+v", k)
	}
}

func TestSSHKeys_OutOfBand(t *testing.T) {
	h := newHarness(t, Config{})
	k, err := h.sim.AddSSHKey("ops", ExamplePublicKeyRSA)
	if err != nil {
		t.Fatal(err)
	}
	h.do(http.MethodGet, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusOK)
	if _, err := h.sim.AddSSHKey("", "nope"); !errorsIs(err, ErrValidation) {
		t.Fatalf("err %v, want ErrValidation", err)
	}
	if err := h.sim.RemoveSSHKey(k.UUID); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.RemoveSSHKey(k.UUID); !errorsIs(err, ErrNotFound) {
		t.Fatalf("second remove: %v, want ErrNotFound", err)
	}
	h.do(http.MethodGet, "/v3/sshKey/"+k.UUID, nil).expect(t, http.StatusNotFound)
}
