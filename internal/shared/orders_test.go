package shared

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestUnrecordedOrders_claim(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	const mark = CreationTagPrefix + "00aa11bb22cc33dd"
	servers := []*flexmetal.Server{
		{UUID: "newer", Status: "provisioning", CreatedAt: t0.Add(time.Minute), Tags: []string{"x", mark + "00000002"}},
		{UUID: "older", Status: "failed", CreatedAt: t0, Tags: []string{mark + "00000001"}},
		{UUID: "releasing", Status: "releasing", CreatedAt: t0, Tags: []string{mark + "00000003"}},
		{UUID: "other-order", Status: "delivered", CreatedAt: t0, Tags: []string{CreationTagPrefix + "ffffffffffffffff00000004"}},
		{UUID: "unmarked", Status: "delivered", CreatedAt: t0},
		{UUID: "mine", Status: "created", CreatedAt: t0, Tags: []string{mark + "00000005"}},
	}
	lists := 0
	u := NewUnrecordedOrders(func(context.Context) ([]*flexmetal.Server, error) {
		lists++
		return servers, nil
	})
	u.Own(mark + "00000005")
	ctx := context.Background()
	// Oldest first, failed ones too; then the next; never releasing, other orders, unmarked or
	// this process's own; each at most once.
	for _, want := range []struct{ id, tag string }{{"older", mark + "00000001"}, {"newer", mark + "00000002"}, {"", ""}} {
		srv, tag, err := u.Claim(ctx, mark)
		got := ""
		if srv != nil {
			got = srv.UUID
		}
		if err != nil || got != want.id || tag != want.tag {
			t.Fatalf("Claim = %q, %q, %v; want %q, %q", got, tag, err, want.id, want.tag)
		}
	}
	if lists != 1 {
		t.Errorf("listed %d times, want once per provider configuration", lists)
	}

	failing := NewUnrecordedOrders(func(context.Context) ([]*flexmetal.Server, error) { return nil, errors.New("unreachable") })
	if srv, _, err := failing.Claim(ctx, mark); srv != nil || err == nil {
		t.Errorf("Claim with a failing list = %v, %v; want nil and the error", srv, err)
	}
}
