package server

import (
	"regexp"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// TestOrderMark: identical orders share a mark; any difference the provider sends gives another;
// a creation tag is the mark plus 8 random hex digits, 24 in all, as before.
func TestOrderMark(t *testing.T) {
	base := flexmetal.CreateServerRequest{Name: "web", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{Slug: "ubuntu-2404-lts"}, SSHKeys: []string{"k"}, Tags: []string{"a"}}
	mark := orderMark(base)
	if !regexp.MustCompile(`^tf-create:[0-9a-f]{16}$`).MatchString(mark) {
		t.Fatalf("mark %q", mark)
	}
	same := base
	same.CreationTag = "tf-create:whatever"
	if orderMark(same) != mark {
		t.Error("the creation tag itself changed the mark")
	}
	for name, change := range map[string]func(*flexmetal.CreateServerRequest){
		"name":     func(o *flexmetal.CreateServerRequest) { o.Name = "web-2" },
		"os":       func(o *flexmetal.CreateServerRequest) { o.OS.Slug = "debian-12" },
		"keys":     func(o *flexmetal.CreateServerRequest) { o.SSHKeys = []string{"k2"} },
		"script":   func(o *flexmetal.CreateServerRequest) { o.PostInstallScript = "echo" },
		"tags":     func(o *flexmetal.CreateServerRequest) { o.Tags = nil },
		"overflow": func(o *flexmetal.CreateServerRequest) { o.Overflow = true },
		"contract": func(o *flexmetal.CreateServerRequest) { o.ContractID = "C-1" },
	} {
		o := base
		change(&o)
		if orderMark(o) == mark {
			t.Errorf("a different %s gives the same mark", name)
		}
	}
	if tag := newCreationTag(mark); !regexp.MustCompile(`^tf-create:[0-9a-f]{24}$`).MatchString(tag) || tag[:len(mark)] != mark {
		t.Errorf("creation tag %q", tag)
	}
}
