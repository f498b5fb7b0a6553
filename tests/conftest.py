"""Suite-wide: this folder is on sys.path (pytest's rootdir conftest), so every test
package can import the shared helper modules here, such as `pg_support`."""
