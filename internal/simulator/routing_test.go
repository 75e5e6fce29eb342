package simulator

import (
	"net/http"
	"testing"
)

func TestAuth_WrongOrMissingKeyIs403Everywhere(t *testing.T) {
	h := newHarness(t, Config{APIKey: "s3cret"})
	paths := []struct{ method, path string }{
		{http.MethodGet, "/v3/flexMetal/location"},
		{http.MethodGet, "/v3/flexMetal/location/18/instanceTypes"},
		{http.MethodGet, "/v3/operatingsystem"},
		{http.MethodGet, "/v3/sshKey"},
		{http.MethodGet, "/v3/flexMetal/servers"},
		{http.MethodPost, "/v3/flexMetal/servers"},
		{http.MethodDelete, "/v3/flexMetal/servers/x"},
		{http.MethodPatch, "/v3/flexMetal/servers/x"},
		{http.MethodGet, "/v3/flexMetal/servers/x/commands"},
		{http.MethodGet, "/v3/flexMetal/servers/x/rootPassword"},
		{http.MethodGet, "/v3/flexMetal/tags"},
		{http.MethodPost, "/v3/flexMetal/tags"},
		{http.MethodPut, "/v3/flexMetal/tags/x"},
		{http.MethodGet, "/v3/flexMetal/quota/usage"},
		{http.MethodGet, "/v3/flexMetal/capacity/commit"},
		{http.MethodGet, "/v3/flexMetal/usage"},
		{http.MethodGet, "/no/such/route"},
	}
	for _, p := range paths {
		for name, o := range map[string]opt{"missing": withoutKey(), "wrong": withKey(DefaultAPIKey), "prefix": withKey("s3cre")} {
			t.Run(name+" "+p.method+" "+p.path, func(t *testing.T) {
				e := h.do(p.method, p.path, nil, o).expect(t, http.StatusForbidden).apiError(t)
				if e.ErrorCode != ErrCodeInvalidCredentials {
					t.Fatalf("errorCode %d, want %d", e.ErrorCode, ErrCodeInvalidCredentials)
				}
			})
		}
	}
	h.do(http.MethodGet, "/v3/flexMetal/location", nil, withKey("s3cret")).expect(t, http.StatusOK)
}

func TestRouting_UnknownRouteAndWrongMethod(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		method, path string
		status, code int
		allow        string
	}{
		{http.MethodGet, "/v3/flexMetal/nothing", http.StatusNotFound, ErrCodeRouteNotFound, ""},
		{http.MethodGet, "/v2/flexMetal/servers", http.StatusNotFound, ErrCodeRouteNotFound, ""},
		{http.MethodGet, "/v3/flexMetal/servers/x/tag", http.StatusNotFound, ErrCodeRouteNotFound, ""},
		{http.MethodPut, "/v3/flexMetal/servers", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "GET, POST"},
		{http.MethodPut, "/v3/flexMetal/servers/x", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "DELETE, GET, PATCH"},
		{http.MethodPost, "/v3/flexMetal/servers/x/commands", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "GET"},
		{http.MethodPatch, "/v3/flexMetal/tags/x", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "DELETE, GET, PUT"},
		{http.MethodPost, "/v3/flexMetal/quota/usage", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "GET"},
		{http.MethodGet, "/v3/flexMetal/servers/x/tag/y", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "DELETE, POST"},
		{http.MethodPost, "/v3/flexMetal/location", http.StatusMethodNotAllowed, ErrCodeMethodNotAllowed, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := h.do(tt.method, tt.path, nil).expect(t, tt.status)
			if e := r.apiError(t); e.ErrorCode != tt.code {
				t.Fatalf("errorCode %d, want %d", e.ErrorCode, tt.code)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Fatalf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestRouting_TrailingSlashIsTolerated(t *testing.T) {
	h := newHarness(t, Config{})
	h.do(http.MethodGet, "/v3/flexMetal/location/", nil).expect(t, http.StatusOK)
}
