package shared

import (
	"context"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// QueryResults streams items, in their order, as the results of a list resource: each with its
// display name and its identity { id }, and, when the query asks for it (include_resource),
// the resource object that toResource writes into a null one. At most req.Limit results are
// pushed, as terraform query asks.
func QueryResults[T any](ctx context.Context, req list.ListRequest, items []T, id, displayName func(T) string, toResource func(context.Context, *tfsdk.Resource, T) diag.Diagnostics) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		for i, item := range items {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = displayName(item)
			result.Diagnostics.Append(SetIdentity(ctx, result.Identity, id(item))...)
			if req.IncludeResource {
				result.Diagnostics.Append(toResource(ctx, result.Resource, item)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
