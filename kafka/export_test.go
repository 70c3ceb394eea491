package kafka

import "context"

// SyncWithAdmin is SyncTopics on admin, with serving in place of the check
// that partitions are served.
func SyncWithAdmin(ctx context.Context, admin TopicAdmin, serving func([]string) (string, error), mode SyncMode, topics ...Topic) (TopicPlan, error) {
	connect := func() (syncConn, error) {
		return syncConn{admin: admin, serving: serving, close: func() error { return nil }}, nil
	}
	return syncWith(ctx, connect, mode, topics)
}
