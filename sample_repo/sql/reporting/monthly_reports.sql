"""Monthly reporting tables for the web dashboard.

Apply with: psql -f sql/reporting/monthly_reports.sql
"""
CREATE TABLE monthly_reports (
    id serial PRIMARY KEY,
    month date NOT NULL,
    character_id integer NOT NULL
);

CREATE TABLE report_lines (
    id serial PRIMARY KEY,
    report_id integer NOT NULL,
    body text
);
