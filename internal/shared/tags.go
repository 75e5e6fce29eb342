package shared

// CreationTagPrefix marks the one-time tag a create carries so that a server whose create
// answer was lost can be found again. It never appears in the tags attribute.
const CreationTagPrefix = "tf-create:"

// MaxTags is the API's limit of tags per server.
const MaxTags = 60
