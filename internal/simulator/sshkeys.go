package simulator

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"
)

// SSHKey is the wire form of a stored SSH key.
type SSHKey struct {
	UUID      string `json:"uuid"`
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
	CreatedAt int64  `json:"createdAt"`
}

// CreateSSHKeyRequest is the body of POST /v3/sshKey. The real request schema is the SshKey
// object itself, so its read-only uuid and createdAt are accepted and ignored.
type CreateSSHKeyRequest struct {
	Name      string `json:"name"`
	PublicKey string `json:"publicKey"`
	UUID      string `json:"uuid,omitempty"`
	CreatedAt int64  `json:"createdAt,omitempty"`
}

// SSHKeySnapshot is a stored SSH key as seen by Go code.
type SSHKeySnapshot struct {
	UUID, Name, PublicKey string
	CreatedAt             time.Time
}

type sshKey struct {
	uuid, name, publicKey string
	createdAt             time.Time
	// seq breaks createdAt ties by insertion, since v4 uuids are random.
	seq int
}

func (k *sshKey) wire() SSHKey {
	return SSHKey{UUID: k.uuid, Name: k.name, PublicKey: k.publicKey, CreatedAt: k.createdAt.Unix()}
}

func (k *sshKey) snapshot() SSHKeySnapshot {
	return SSHKeySnapshot{UUID: k.uuid, Name: k.name, PublicKey: k.publicKey, CreatedAt: k.createdAt}
}

// sortedKeys orders by creation time, then insertion, so pages stay stable between requests.
func (s *Simulator) sortedKeys() []*sshKey {
	keys := make([]*sshKey, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b *sshKey) int {
		return cmp.Or(a.createdAt.Compare(b.createdAt), cmp.Compare(a.seq, b.seq))
	})
	return keys
}

// addKey validates and stores a key. The public key is stored exactly as sent, trailing
// newline included, so clients meet the API's echo of their input rather than a normalised
// copy. Caller holds s.mu.
func (s *Simulator) addKey(name, publicKey string, now time.Time) (*sshKey, error) {
	var v validationErrors
	if strings.TrimSpace(name) == "" {
		v.add("name", "name is required")
	}
	switch {
	case strings.TrimSpace(publicKey) == "":
		v.add("publicKey", "publicKey is required")
	case strings.Contains(publicKey, "PRIVATE KEY"):
		v.add("publicKey", "this is a private key; upload the public key only")
	case !ValidPublicKey(publicKey):
		v.add("publicKey", "must be an OpenSSH public key (ssh-rsa, ssh-ed25519, ecdsa-sha2-nistp256/384/521 or sk-*)")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	s.keySeq++
	k := &sshKey{uuid: newUUIDv4(), name: name, publicKey: publicKey, createdAt: now, seq: s.keySeq}
	s.keys[k.uuid] = k
	return k, nil
}

func (s *Simulator) listSSHKeys(c *call) response {
	p, err := s.requestedPage(c)
	if err != nil {
		return errorResponse(err)
	}
	var out []SSHKey
	for _, k := range paginate(s.sortedKeys(), p) {
		out = append(out, k.wire())
	}
	return list(out)
}

func (s *Simulator) createSSHKey(c *call) response {
	var req CreateSSHKeyRequest
	if err := decodeJSON(c.body, &req, false); err != nil {
		return errorResponse(err)
	}
	k, err := s.addKey(req.Name, req.PublicKey, c.now)
	if err != nil {
		return errorResponse(err)
	}
	return one(k.wire())
}

func (s *Simulator) getSSHKey(c *call) response {
	k, ok := s.keys[c.params["uuid"]]
	if !ok {
		return errorResponse(notFound("SSH key"))
	}
	return one(k.wire())
}

func (s *Simulator) deleteSSHKey(c *call) response {
	uuid := c.params["uuid"]
	if _, ok := s.keys[uuid]; !ok {
		return errorResponse(notFound("SSH key"))
	}
	delete(s.keys, uuid)
	return noContent()
}

// SSHKeys returns the stored SSH keys in list order.
func (s *Simulator) SSHKeys() []SSHKeySnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SSHKeySnapshot
	for _, k := range s.sortedKeys() {
		out = append(out, k.snapshot())
	}
	return out
}

// AddSSHKey stores a key as POST /v3/sshKey would, with the same validation.
func (s *Simulator) AddSSHKey(name, publicKey string) (SSHKeySnapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, err := s.addKey(name, publicKey, s.now())
	if err != nil {
		return SSHKeySnapshot{}, err
	}
	return k.snapshot(), nil
}

// RemoveSSHKey deletes a stored key, as DELETE /v3/sshKey/{uuid} would. Servers created with
// it keep it.
func (s *Simulator) RemoveSSHKey(uuid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[uuid]; !ok {
		return notFound("SSH key")
	}
	delete(s.keys, uuid)
	return nil
}

// decodeJSON reads exactly one JSON value. With strict set, unknown properties are refused,
// naming the property, so a client's misspelled field fails loudly instead of being dropped.
func decodeJSON(body []byte, v any, strict bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("Request body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field = strings.Trim(field, `"`)
			return badRequest("Invalid request body", ErrorDetail{Property: field, Message: "unknown property"})
		}
		return badRequest("Invalid request body: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("Invalid request body: trailing data after the JSON value")
	}
	return nil
}
