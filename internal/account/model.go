package account

import (
	"cmp"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
)

// quotaModel is one element of flexmetal_quota.quotas: one quota of one instance type at one
// location.
type quotaModel struct {
	Location     types.String `tfsdk:"location"`
	InstanceType types.String `tfsdk:"instance_type"`
	QuotaType    types.String `tfsdk:"quota_type"`
	ContractID   types.String `tfsdk:"contract_id"`
	Quota        types.Int64  `tfsdk:"quota"`
	Usage        types.Int64  `tfsdk:"usage"`
	Available    types.Int64  `tfsdk:"available"`
}

// quotaAttributes describes quotaModel's attributes.
var quotaAttributes = shared.ComputedAttributes{
	"location":      {Description: "Name of the location, e.g. `EU: Rotterdam`."},
	"instance_type": {Description: "Name of the instance type, e.g. `bm7.std.8`."},
	"quota_type":    {Description: "`onDemand` for the quota of servers ordered without committed capacity, `commit` for capacity committed under `contract_id`."},
	"contract_id":   {Description: "The contract of committed capacity; null for the on-demand quota."},
	"quota":         {Description: "How many servers this quota allows at once.", Kind: shared.Int64Kind},
	"usage":         {Description: "How many servers count against it now (released and failed servers do not).", Kind: shared.Int64Kind},
	"available":     {Description: "How many more servers it allows now: `quota` minus `usage`, never negative.", Kind: shared.Int64Kind},
}

func newQuotaModel(q flexmetal.Quota) quotaModel {
	return quotaModel{
		Location:     types.StringValue(q.Location),
		InstanceType: types.StringValue(q.InstanceType),
		QuotaType:    types.StringValue(q.Type),
		ContractID:   shared.StringOrNull(q.ContractID),
		Quota:        types.Int64Value(q.Quota),
		Usage:        types.Int64Value(q.Usage),
		Available:    types.Int64Value(shared.QuotaFree(q.Quota, q.Usage)),
	}
}

// quotaModels keeps the quotas matching the filters (an empty filter matches all) and maps them
// sorted by location, instance type, on-demand before commit, then contract, and returns their
// ids.
func quotaModels(quotas []flexmetal.Quota, location, instanceType string) ([]quotaModel, []string) {
	kept := make([]flexmetal.Quota, 0, len(quotas))
	for _, q := range quotas {
		if filterMatches(location, q.Location) && filterMatches(instanceType, q.InstanceType) {
			kept = append(kept, q)
		}
	}
	return shared.SortedItems(kept, func(a, b flexmetal.Quota) int {
		return cmp.Or(cmp.Compare(a.Location, b.Location), cmp.Compare(a.InstanceType, b.InstanceType),
			cmp.Compare(quotaTypeRank(a.Type), quotaTypeRank(b.Type)), cmp.Compare(a.Type, b.Type), cmp.Compare(a.ContractID, b.ContractID))
	}, func(q flexmetal.Quota) string {
		return q.Location + "\x00" + q.InstanceType + "\x00" + q.Type + "\x00" + q.ContractID
	}, newQuotaModel)
}

// quotaTypeRank lists the on-demand quota before committed capacity.
func quotaTypeRank(t string) int {
	if t == flexmetal.QuotaTypeOnDemand {
		return 0
	}
	return 1
}

// filterMatches reports whether value passes a name filter; an empty filter passes everything.
func filterMatches(filter, value string) bool { return filter == "" || filter == value }

// capacityCommitModel is one element of flexmetal_capacity_commits.commits.
type capacityCommitModel struct {
	Location     types.String `tfsdk:"location"`
	InstanceType types.String `tfsdk:"instance_type"`
	Capacity     types.Int64  `tfsdk:"capacity"`
	InUse        types.Int64  `tfsdk:"in_use"`
	Available    types.Int64  `tfsdk:"available"`
}

// capacityCommitAttributes describes capacityCommitModel's attributes.
var capacityCommitAttributes = shared.ComputedAttributes{
	"location":      {Description: "Name of the location, e.g. `EU: Rotterdam`."},
	"instance_type": {Description: "Name of the instance type, e.g. `bm7.std.8`."},
	"capacity":      {Description: "How many servers are committed, summed over the contracts.", Kind: shared.Int64Kind},
	"in_use":        {Description: "How many servers use the committed capacity now.", Kind: shared.Int64Kind},
	"available":     {Description: "How many more servers the committed capacity takes: `capacity` minus `in_use`, never negative.", Kind: shared.Int64Kind},
}

func newCapacityCommitModel(c flexmetal.CapacityCommit) capacityCommitModel {
	return capacityCommitModel{
		Location:     types.StringValue(c.Location.Name),
		InstanceType: types.StringValue(c.InstanceType.Name),
		Capacity:     types.Int64Value(c.Capacity),
		InUse:        types.Int64Value(c.InUse),
		Available:    types.Int64Value(shared.QuotaFree(c.Capacity, c.InUse)),
	}
}

// capacityCommitModels keeps the commits matching the filters (an empty filter matches all) and
// maps them sorted by location and instance type, and returns their ids.
func capacityCommitModels(commits []flexmetal.CapacityCommit, location, instanceType string) ([]capacityCommitModel, []string) {
	kept := make([]flexmetal.CapacityCommit, 0, len(commits))
	for _, c := range commits {
		if filterMatches(location, c.Location.Name) && filterMatches(instanceType, c.InstanceType.Name) {
			kept = append(kept, c)
		}
	}
	return shared.SortedItems(kept, func(a, b flexmetal.CapacityCommit) int {
		return cmp.Or(cmp.Compare(a.Location.Name, b.Location.Name), cmp.Compare(a.InstanceType.Name, b.InstanceType.Name))
	}, func(c flexmetal.CapacityCommit) string {
		return c.Location.Name + "\x00" + c.InstanceType.Name
	}, newCapacityCommitModel)
}

// tagModel is one element of flexmetal_tags.tags.
type tagModel struct {
	Name        types.String `tfsdk:"name"`
	ServerCount types.Int64  `tfsdk:"server_count"`
}

// tagAttributes describes tagModel's attributes.
var tagAttributes = shared.ComputedAttributes{
	"name":         {Description: "The tag, e.g. `env:prod`."},
	"server_count": {Description: "How many FlexMetal servers carry the tag (released servers do not count).", Kind: shared.Int64Kind},
}

func newTagModel(t *flexmetal.Tag) tagModel {
	return tagModel{Name: types.StringValue(t.Name), ServerCount: types.Int64Value(t.Servers)}
}

// tagModels maps the account's tags sorted by name, and returns their names. The provider's
// temporary creation and reinstall tags are left out: the provider hides them everywhere else
// too, and one whose deletion from the account failed can stay in the account's list.
func tagModels(tags []*flexmetal.Tag) ([]tagModel, []string) {
	kept := make([]*flexmetal.Tag, 0, len(tags))
	for _, t := range tags {
		if !shared.ProviderTag(t.Name) {
			kept = append(kept, t)
		}
	}
	return shared.SortedItems(kept, func(a, b *flexmetal.Tag) int { return cmp.Compare(a.Name, b.Name) },
		func(t *flexmetal.Tag) string { return t.Name }, newTagModel)
}

// usageServerModel is one element of flexmetal_usage.servers: one server's billed period.
type usageServerModel struct {
	ServerID     types.String `tfsdk:"server_id"`
	Name         types.String `tfsdk:"name"`
	Tags         types.Set    `tfsdk:"tags"`
	StartedAt    types.String `tfsdk:"started_at"`
	EndedAt      types.String `tfsdk:"ended_at"`
	TotalHours   types.Int64  `tfsdk:"total_hours"`
	TotalMinutes types.Int64  `tfsdk:"total_minutes"`
	BandwidthIn  types.Int64  `tfsdk:"bandwidth_in"`
	BandwidthOut types.Int64  `tfsdk:"bandwidth_out"`
}

// usageServerAttributes describes usageServerModel's attributes.
var usageServerAttributes = shared.ComputedAttributes{
	"server_id":     {Description: "The server's UUID."},
	"name":          {Description: "The server's host name."},
	"tags":          {Description: "The server's tags as the API reports them now (the provider's temporary `tf-create:` and `tf-reinstall:` tags left out), for sums per tag.", Kind: shared.StringSetKind},
	"started_at":    {Description: "When the billed period starts within the report (RFC 3339)."},
	"ended_at":      {Description: "When the billed period ends within the report (RFC 3339); null when the API gives none."},
	"total_hours":   {Description: "Billable hours, as the API counts them.", Kind: shared.Int64Kind},
	"total_minutes": {Description: "Billable minutes.", Kind: shared.Int64Kind},
	"bandwidth_in":  {Description: "The API's `bandwidthIn` figure (its reference describes it as bandwidth out and gives no unit).", Kind: shared.Int64Kind},
	"bandwidth_out": {Description: "The API's `bandwidthOut` figure (billable bytes); null when the API does not report it, as its published schema does not.", Kind: shared.Int64Kind},
}

func newUsageServerModel(u flexmetal.ServerUsage) usageServerModel {
	m := usageServerModel{
		StartedAt:    shared.TimeValue(&u.StartedAt),
		EndedAt:      shared.TimeValue(&u.EndedAt),
		TotalHours:   types.Int64Value(u.TotalHours),
		TotalMinutes: types.Int64Value(u.TotalMinutes),
		BandwidthIn:  types.Int64Value(u.BandwidthIn),
		BandwidthOut: types.Int64PointerValue(u.BandwidthOut),
		ServerID:     types.StringNull(),
		Name:         types.StringNull(),
		Tags:         shared.StringSetValue([]string{}),
	}
	if u.Server != nil {
		m.ServerID = types.StringValue(u.Server.UUID)
		m.Name = types.StringValue(u.Server.Name)
		m.Tags = shared.StringSetValue(shared.VisibleTags(u.Server.Tags))
	}
	return m
}

// usageTotals are flexmetal_usage's sums over its servers.
type usageTotals struct {
	TotalHours, TotalMinutes, BandwidthIn, BandwidthOut types.Int64
}

// usageModels maps a usage report sorted by start, then server id, and sums it. bandwidth_out's
// sum is null when any server's is: a sum of some servers would read as the whole.
func usageModels(usage []flexmetal.ServerUsage) ([]usageServerModel, usageTotals) {
	models, _ := shared.SortedItems(usage, func(a, b flexmetal.ServerUsage) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(usageServerID(a), usageServerID(b)))
	}, usageServerID, newUsageServerModel)
	var hours, minutes, in, out int64
	outKnown := true
	for _, u := range usage {
		hours += u.TotalHours
		minutes += u.TotalMinutes
		in += u.BandwidthIn
		if u.BandwidthOut == nil {
			outKnown = false
		} else {
			out += *u.BandwidthOut
		}
	}
	totals := usageTotals{types.Int64Value(hours), types.Int64Value(minutes), types.Int64Value(in), types.Int64Null()}
	if outKnown {
		totals.BandwidthOut = types.Int64Value(out)
	}
	return models, totals
}

func usageServerID(u flexmetal.ServerUsage) string {
	if u.Server == nil {
		return ""
	}
	return u.Server.UUID
}
