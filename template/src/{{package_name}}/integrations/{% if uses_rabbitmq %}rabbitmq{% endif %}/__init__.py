"""RabbitMQ through aio-pika: a robust connection, a publisher and a consumer with a dead-letter
queue for messages that cannot be processed."""
