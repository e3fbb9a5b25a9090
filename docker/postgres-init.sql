-- Each service owns its own database and never reads another's tables.
CREATE DATABASE kam_intake;
CREATE DATABASE kam_escalation;
CREATE DATABASE kam_assessment;
CREATE DATABASE kam_compensation;
CREATE DATABASE kam_notify;
