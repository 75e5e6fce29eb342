package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

func TestTags_AddAndRemove(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("tagged")
	req.Tags = []string{"env:dev"}
	s := h.create(req)
	base := "/v3/flexMetal/servers/" + s.UUID + "/tag/"

	tests := []struct {
		name     string
		method   string
		tag      string // sent path-escaped
		raw      string // sent as is, when set
		status   int
		wantTags []string
	}{
		{"add", http.MethodPost, "role:web", "", http.StatusOK, []string{"env:dev", "role:web"}},
		{"add existing is a no-op", http.MethodPost, "role:web", "", http.StatusOK, []string{"env:dev", "role:web"}},
		{"colon sent escaped", http.MethodPost, "", "team%3Aops", http.StatusOK, []string{"env:dev", "role:web", "team:ops"}},
		{"invalid tag", http.MethodPost, "has space", "", http.StatusUnprocessableEntity, nil},
		{"escaped slash is part of the tag, and invalid", http.MethodPost, "", "a%2Fb", http.StatusUnprocessableEntity, nil},
		{"remove", http.MethodDelete, "env:dev", "", http.StatusOK, []string{"role:web", "team:ops"}},
		{"remove missing", http.MethodDelete, "env:dev", "", http.StatusNotFound, nil},
		{"remove invalid", http.MethodDelete, "bad tag", "", http.StatusUnprocessableEntity, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg := tt.raw
			if seg == "" {
				seg = url.PathEscape(tt.tag)
			}
			r := h.do(tt.method, base+seg, nil).expect(t, tt.status)
			if tt.wantTags == nil {
				e := r.apiError(t)
				if tt.status == http.StatusNotFound && e.ErrorCode != ErrCodeNotFound {
					t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeNotFound)
				}
				if tt.status == http.StatusUnprocessableEntity && (e.ErrorCode != ErrCodeValidation || properties(e)[0] != "tag") {
					t.Fatalf("got %+v, want validation error on tag", e)
				}
				return
			}
			if got := r.server(t).Tags; !slices.Equal(got, tt.wantTags) {
				t.Fatalf("tags %v, want %v", got, tt.wantTags)
			}
		})
	}
}

func TestTags_AtMost60(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("full")
	for i := range MaxTags {
		req.Tags = append(req.Tags, fmt.Sprintf("t%d", i))
	}
	s := h.create(req)
	e := h.do(http.MethodPost, "/v3/flexMetal/servers/"+s.UUID+"/tag/one-more", nil).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.ErrorCode != ErrCodeValidation || properties(e)[0] != "tags" {
		t.Fatalf("got %+v, want validation error on tags", e)
	}
	h.do(http.MethodPost, "/v3/flexMetal/servers/"+s.UUID+"/tag/t0", nil).expect(t, http.StatusOK)
}

func TestTags_UnknownServerIs404(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(http.MethodPost, "/v3/flexMetal/servers/nope/tag/x", nil).expect(t, http.StatusNotFound)
	h.do(http.MethodDelete, "/v3/flexMetal/servers/nope/tag/x", nil).expect(t, http.StatusNotFound)
}

func TestSetServerTags_OutOfBand(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("x"))
	if err := h.sim.SetServerTags(s.UUID, []string{"a", "b", "a"}); err != nil {
		t.Fatal(err)
	}
	if got := h.get(s.UUID).server(t).Tags; !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("tags %v, want [a b]", got)
	}
	if err := h.sim.SetServerTags(s.UUID, []string{"no good"}); !errorsIs(err, ErrValidation) {
		t.Fatalf("err %v, want ErrValidation", err)
	}
	if err := h.sim.SetServerTags("missing", nil); !errorsIs(err, ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
}
