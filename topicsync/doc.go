// Package topicsync brings a cluster to declared topics (kafka.Topic)
// through a [client.Admin]: it plans what is to be created, altered and
// repartitioned ([PlanTopics]), carries a plan out ([ApplyTopicPlan]),
// does both until every partition is served ([SyncTopics], [EnsureTopics])
// and deletes topics ([DeleteTopics]).
//
// It lives outside package kafka because it needs package client (Kafka
// error codes, the Admin seam) and package clients (the admin of the
// library kafka.client names), which both import kafka. The declarations
// and plans themselves (kafka.Topic, kafka.TopicPlan, kafka.SyncMode) stay
// in package kafka: they are configuration and say nothing of a library.
package topicsync
