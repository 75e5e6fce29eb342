package account_test

import (
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
