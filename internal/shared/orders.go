package shared

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// UnrecordedOrders finds servers that an earlier run ordered and never recorded, so that a create
// adopts one instead of ordering again. Terraform records a server only when its create returns:
// a run killed between the order and that moment leaves a server in no state. Such a server still
// carries its creation tag, which names the order it was made for (see the server package).
//
// One value serves one provider configuration, that is one terraform command: it lists the
// account's servers at most once, when the first create asks, and hands each server to at most
// one create. Orders this process sends itself are never handed out, so two instances with
// identical orders in one run never share a server.
type UnrecordedOrders struct {
	list func(context.Context) ([]*flexmetal.Server, error)

	once    sync.Once
	servers []*flexmetal.Server
	err     error

	mu      sync.Mutex
	claimed map[string]bool
	own     map[string]bool
}

// NewUnrecordedOrders returns an empty registry that lists servers with list.
func NewUnrecordedOrders(list func(context.Context) ([]*flexmetal.Server, error)) *UnrecordedOrders {
	return &UnrecordedOrders{list: list, claimed: map[string]bool{}, own: map[string]bool{}}
}

// Own records a creation tag this process is about to send, before it sends it.
func (u *UnrecordedOrders) Own(tag string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.own[tag] = true
}

// Claim hands out the oldest unclaimed server that carries a creation tag starting with mark, is
// neither releasing nor released, and was not ordered by this process; nil when there is none.
// The error is the listing's, for the caller to log: without the list, nothing can be adopted.
func (u *UnrecordedOrders) Claim(ctx context.Context, mark string) (*flexmetal.Server, string, error) {
	u.once.Do(func() { u.servers, u.err = u.list(ctx) })
	if u.err != nil {
		return nil, "", u.err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	var best *flexmetal.Server
	var bestTag string
	for _, s := range u.servers {
		if u.claimed[s.UUID] || s.Status == flexmetal.StatusReleasing || s.Status == flexmetal.StatusReleased {
			continue
		}
		i := slices.IndexFunc(s.Tags, func(t string) bool { return strings.HasPrefix(t, mark) && !u.own[t] })
		if i < 0 {
			continue
		}
		if best == nil || s.CreatedAt.Before(best.CreatedAt) {
			best, bestTag = s, s.Tags[i]
		}
	}
	if best != nil {
		u.claimed[best.UUID] = true
	}
	return best, bestTag, nil
}
