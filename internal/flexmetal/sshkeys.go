package flexmetal

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// SSHKey is a stored SSH public key; its UUID can stand in for the key when ordering servers.
type SSHKey struct {
	UUID      string
	Name      string
	PublicKey string
	CreatedAt time.Time
}

// sshKeyWire is both the create request's body and the answers' shape. The API contract check
// (contract.go) reads its tags: uuid is required in answers, whatever omitempty does for the body.
type sshKeyWire struct {
	UUID      string `json:"uuid,omitempty" contract:"required"`
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
	CreatedAt *int64 `json:"createdAt,omitempty"`
}

func (w sshKeyWire) toSSHKey() *SSHKey {
	k := &SSHKey{UUID: w.UUID, Name: w.Name, PublicKey: w.PublicKey}
	if w.CreatedAt != nil {
		k.CreatedAt = time.Unix(*w.CreatedAt, 0).UTC()
	}
	return k
}

// SSHKeysService manages stored SSH keys.
type SSHKeysService struct {
	client *Client
}

const sshKeysPath = "/v3/sshKey"

// List returns every stored key.
func (s *SSHKeysService) List(ctx context.Context) ([]*SSHKey, error) {
	req := request{method: http.MethodGet, path: sshKeysPath, idempotent: true}
	wires, err := listAll(ctx, s.client, req, func(w sshKeyWire) string { return w.UUID })
	if err != nil {
		return nil, err
	}
	return mapAll(wires, sshKeyWire.toSSHKey), nil
}

// Get returns one stored key; a missing key is an *APIError for which IsNotFound is true.
func (s *SSHKeysService) Get(ctx context.Context, uuid string) (*SSHKey, error) {
	if uuid == "" {
		return nil, errors.New("SSH key UUID must not be empty")
	}
	w, err := doOne[sshKeyWire](ctx, s.client, request{method: http.MethodGet, path: sshKeysPath + "/" + uuid, idempotent: true})
	if err != nil {
		return nil, err
	}
	return w.toSSHKey(), nil
}

// Create stores a public key. It is not retried once it may have reached the API: a duplicate
// key is harmless but confusing, and the caller sees the error.
func (s *SSHKeysService) Create(ctx context.Context, name, publicKey string) (*SSHKey, error) {
	req := request{method: http.MethodPost, path: sshKeysPath, body: sshKeyWire{Name: name, PublicKey: publicKey}}
	w, err := doOne[sshKeyWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	if w.UUID == "" {
		return nil, &ResponseError{Method: req.method, Path: req.path, Err: errors.New("the stored key has no uuid")}
	}
	return w.toSSHKey(), nil
}

// Delete removes a stored key.
func (s *SSHKeysService) Delete(ctx context.Context, uuid string) error {
	if uuid == "" {
		return errors.New("SSH key UUID must not be empty")
	}
	_, err := s.client.do(ctx, request{method: http.MethodDelete, path: sshKeysPath + "/" + uuid, idempotent: true})
	return err
}
