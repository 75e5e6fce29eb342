package shared

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func onDemandLine(quota, usage int64) flexmetal.Quota {
	return flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: quota, Usage: usage}
}

func commitLine(contract string, quota, usage int64) flexmetal.Quota {
	return flexmetal.Quota{Location: "EU: Rotterdam", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeCommit, ContractID: contract, Quota: quota, Usage: usage}
}

func orders(n int, o QuotaOrder) []QuotaOrder {
	out := make([]QuotaOrder, n)
	for i := range out {
		out[i] = o
	}
	return out
}

func TestPlaceable(t *testing.T) {
	plain, overflow := QuotaOrder{}, QuotaOrder{Overflow: true}
	named := func(c string, overflow bool) QuotaOrder {
		return QuotaOrder{Contract: c, Overflow: overflow}
	}
	cases := []struct {
		name   string
		lines  []flexmetal.Quota
		orders []QuotaOrder
		want   int64
	}{
		{"on-demand room", []flexmetal.Quota{onDemandLine(5, 1)}, orders(3, plain), 3},
		{"on-demand short", []flexmetal.Quota{onDemandLine(2, 0)}, orders(3, plain), 2},
		{"on-demand over-used", []flexmetal.Quota{onDemandLine(1, 3)}, orders(1, plain), 0},
		{"named contract fills its pool", []flexmetal.Quota{onDemandLine(10, 0), commitLine("A", 2, 0)}, orders(3, named("A", false)), 2},
		{"named contract overflows on-demand", []flexmetal.Quota{onDemandLine(10, 0), commitLine("A", 2, 0)}, orders(3, named("A", true)), 3},
		{"other contract's pool is not used", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 5, 0)}, orders(2, named("A", false)), 1},
		{"unnamed uses any pool", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 1, 1), commitLine("C", 2, 0)}, orders(4, plain), 3},
		{"unnamed needs overflow beyond the pools", []flexmetal.Quota{onDemandLine(5, 0), commitLine("A", 1, 0)}, append(orders(2, plain), orders(2, overflow)...), 3},
		{"non-overflow orders get the pool first", []flexmetal.Quota{onDemandLine(5, 0), commitLine("A", 1, 0)}, []QuotaOrder{overflow, plain}, 2},
		{"named orders get their pool before unnamed ones", []flexmetal.Quota{onDemandLine(0, 0), commitLine("A", 1, 0), commitLine("B", 1, 0)}, []QuotaOrder{plain, named("A", false)}, 2},
		{"contract without a pool here is on-demand", []flexmetal.Quota{onDemandLine(1, 0)}, orders(2, named("X", false)), 1},
		{"no on-demand line: not limited", []flexmetal.Quota{commitLine("A", 1, 0)}, orders(3, overflow), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := placeable(c.lines, c.orders); got != c.want {
				t.Errorf("placeable = %d, want %d", got, c.want)
			}
		})
	}
}

var rotterdamBM7 = QuotaPair{Location: "EU: Rotterdam", InstanceType: "bm7.std.8"}

// TestQuotaPlanner_warnsOnceAtTheFirstOrderOverQuota orders five servers concurrently against a
// quota with room for two: the quota is read once, and exactly one order, the third counted,
// gets the warning.
func TestQuotaPlanner_warnsOnceAtTheFirstOrderOverQuota(t *testing.T) {
	var fetches atomic.Int32
	p := NewQuotaPlanner(func(context.Context) ([]flexmetal.Quota, error) {
		fetches.Add(1)
		return []flexmetal.Quota{onDemandLine(3, 1), {Location: "JP: Tokyo", InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: 0}}, nil
	})
	var mu sync.Mutex
	var warnings []*OverQuota
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if over := p.Order(t.Context(), rotterdamBM7, QuotaOrder{}); over != nil {
				mu.Lock()
				warnings = append(warnings, over)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
	if len(warnings) != 1 {
		t.Fatalf("%d warnings, want 1", len(warnings))
	}
	msg := warnings[0].Message()
	for _, want := range []string{
		"This plan orders at least 3 bm7.std.8 servers at EU: Rotterdam, but the account's quota leaves room for 2 (on-demand quota: 3, 1 in use).",
		"lower bound",
		"flexmetal_quota",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
	// Another pair has its own tally and its own warning.
	if over := p.Order(t.Context(), QuotaPair{Location: "JP: Tokyo", InstanceType: "bm7.std.8"}, QuotaOrder{}); over == nil || over.ordered != 1 || over.placeable != 0 {
		t.Errorf("Tokyo order: %+v, want a warning for 1 ordered, 0 placeable", over)
	}
	// A pair the API reports no quota for is not judged.
	if over := p.Order(t.Context(), QuotaPair{Location: "US: Dallas - TX", InstanceType: "bm7.std.8"}, QuotaOrder{}); over != nil {
		t.Errorf("order without a quota line warned: %+v", over)
	}
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
}

func TestQuotaPlanner_unreadableQuotaIsNotJudgedAndReadOnce(t *testing.T) {
	var fetches atomic.Int32
	p := NewQuotaPlanner(func(context.Context) ([]flexmetal.Quota, error) {
		fetches.Add(1)
		return nil, errors.New("503 Service Unavailable")
	})
	for range 3 {
		if over := p.Order(t.Context(), rotterdamBM7, QuotaOrder{}); over != nil {
			t.Errorf("warned without a quota: %+v", over)
		}
	}
	if fetches.Load() != 1 {
		t.Errorf("quota read %d times, want once", fetches.Load())
	}
}

func TestOverQuotaMessage_namesCommittedCapacity(t *testing.T) {
	over := &OverQuota{pair: rotterdamBM7, ordered: 1, placeable: 0, lines: []flexmetal.Quota{onDemandLine(2, 2), commitLine("CONTRACT-1", 4, 4)}}
	msg := over.Message()
	for _, want := range []string{
		"at least 1 bm7.std.8 server at EU: Rotterdam",
		"room for 0",
		"committed capacity of contract CONTRACT-1: 4, 4 in use",
		"on-demand quota: 2, 2 in use",
		"overflow = true",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("warning %q lacks %q", msg, want)
		}
	}
}
