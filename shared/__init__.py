"""The contract every service and plugin imports: money, facts, the plugin interface, config."""
