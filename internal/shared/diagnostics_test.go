package shared

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

func TestConfigLinePath(t *testing.T) {
	cases := []struct{ in, want path.Path }{
		{path.Root("location"), path.Root("location")},
		{path.Root("ssh_keys").AtListIndex(2), path.Root("ssh_keys").AtListIndex(2)},
		{path.Root("os").AtName("slug"), path.Root("os")},
		{path.Root("os").AtName("partitions").AtListIndex(0).AtName("size"), path.Root("os")},
	}
	for _, c := range cases {
		if got := ConfigLinePath(c.in); !got.Equal(c.want) {
			t.Errorf("configLinePath(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
