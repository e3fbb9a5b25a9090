# nameko's service containers hang under pytest unless eventlet patches the stdlib first;
# this must run before anything imports socket/threading.
import eventlet

eventlet.monkey_patch()
