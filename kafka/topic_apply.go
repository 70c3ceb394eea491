package kafka

// SyncMode says how far topicsync.ApplyTopicPlan and topicsync.SyncTopics go.
type SyncMode uint8

const (
	// SyncCreate creates missing topics only; existing ones are left as
	// they are.
	SyncCreate SyncMode = iota
	// SyncAlign creates missing topics, sets the declared configs that
	// differ (incrementally: other configs are left alone) and adds the
	// partitions declared beyond a topic's count. It never removes
	// partitions nor changes a replication factor.
	SyncAlign
)
