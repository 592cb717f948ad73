"""The Desk layer: the Store protocol, the Desk unit of work, durable effects and their retries."""
