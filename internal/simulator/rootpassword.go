package simulator

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"time"
)

// RootPasswordWindow is how long after delivery a Windows server's root password can be
// fetched, as the API documents: "within the first 24 hours after installation". A reinstall
// delivers the server again, so the window starts over with a new password.
const RootPasswordWindow = 24 * time.Hour

// RootPasswordResponse is the wire form of GET /v3/flexMetal/servers/{uuid}/rootPassword.
type RootPasswordResponse struct {
	RootPassword string `json:"rootPassword"`
}

// rootPasswordAlphabet leaves out characters that are easily confused when typed from a
// screen. Its 64 characters divide 256, so every one is equally likely.
const rootPasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789!#%+-=?@"

// newRootPassword makes the password of an installation of slug: a random one for Windows,
// "" for any other operating system.
func (s *Simulator) newRootPassword(slug string) string {
	if s.catalog.osBySlug[slug].OSGroup != OSGroupWindows {
		return ""
	}
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = rootPasswordAlphabet[int(b[i])%len(rootPasswordAlphabet)]
	}
	return string(b)
}

func (s *Simulator) getRootPassword(c *call, sv *server) response {
	if sv.rootPassword == "" {
		return errorResponse(noRootPassword(fmt.Sprintf("operating system %s is not Windows; only Windows servers have a root password", sv.os.Slug)))
	}
	st := s.stateAt(sv, c.now)
	switch {
	case st.status != StatusDelivered:
		return errorResponse(noRootPassword(fmt.Sprintf("server is %s, not delivered", st.status)))
	case !c.now.Before(st.deliveredAt.Add(RootPasswordWindow)):
		return errorResponse(noRootPassword(fmt.Sprintf("it can only be fetched within %s after delivery", RootPasswordWindow)))
	}
	return one(RootPasswordResponse{RootPassword: sv.rootPassword})
}

func noRootPassword(why string) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: ErrCodeNotFound, Message: "Root password not available: " + why}
}
