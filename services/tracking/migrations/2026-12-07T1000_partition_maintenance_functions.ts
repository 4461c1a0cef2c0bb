import { sql, type Kysely } from 'kysely'

// Frozen: the service's login role may not run DDL (issue 20, item 7: it has rows only, the schema's
// owner role holds the tables), yet tracking keeps its time partitions at runtime. These two functions
// are that DDL and nothing more: SECURITY DEFINER, so they run as the owner that creates them here,
// and the login role gets EXECUTE through db:setup's default privileges (PUBLIC gets none). Each
// accepts only a dated partition (`<parent>_pYYYYMM[DD]`) of a partitioned table of this schema, and
// search_path is pinned to this schema with pg_temp last, so a caller's temporary objects never
// stand in for ours. The caller's transaction settings (lock_timeout) still apply inside them.
export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  const schema = sql.id(rows[0]!.schema)

  // Creates `partition` for [range_from, range_to); null when it exists already, else the number of
  // rows moved out of DEFAULT. Postgres refuses a new partition while DEFAULT holds rows of its range,
  // so then it is built beside the parent, the rows move over, and it is attached (one transaction).
  await sql`
    create function create_time_partition(parent text, partition text, range_from timestamptz, range_to timestamptz)
    returns bigint language plpgsql security definer set search_path = ${schema}, pg_temp as $$
    declare
      col text;
      moved bigint;
      stray boolean;
    begin
      select a.attname into col
        from pg_partitioned_table pt
        join pg_class c on c.oid = pt.partrelid
        join pg_attribute a on a.attrelid = pt.partrelid and a.attnum = pt.partattrs[0]
       where c.relname = parent and c.relnamespace = current_schema()::regnamespace and pt.partnatts = 1;
      if col is null then
        raise exception 'not a partitioned table of schema %: %', current_schema(), parent using errcode = '22023';
      end if;
      if left(partition, length(parent) + 2) <> parent || '_p' or substr(partition, length(parent) + 3) !~ '^[0-9]{6}([0-9]{2})?$' then
        raise exception 'not a dated partition name of %: %', parent, partition using errcode = '22023';
      end if;
      if range_from is null or range_to is null or range_from >= range_to then
        raise exception 'empty partition range [%, %)', range_from, range_to using errcode = '22023';
      end if;
      if exists (select 1 from pg_class where relname = partition and relnamespace = current_schema()::regnamespace) then
        return null;
      end if;
      execute format('select exists (select 1 from %I where %I >= $1 and %I < $2)', parent || '_default', col, col)
        into stray using range_from, range_to;
      if not stray then
        execute format('create table %I partition of %I for values from (%L) to (%L)', partition, parent, range_from, range_to);
        return 0;
      end if;
      execute format('create table %I (like %I including defaults including constraints)', partition, parent);
      execute format('with gone as (delete from %I where %I >= $1 and %I < $2 returning *) insert into %I select * from gone',
                     parent || '_default', col, col, partition) using range_from, range_to;
      get diagnostics moved = row_count;
      execute format('alter table %I attach partition %I for values from (%L) to (%L)', parent, partition, range_from, range_to);
      return moved;
    end $$`.execute(db)

  // Drops `partition` when it is a dated partition of `parent`; false when there is no such partition.
  // DEFAULT and any table that is not a partition of `parent` are out of its reach.
  await sql`
    create function drop_time_partition(parent text, partition text)
    returns boolean language plpgsql security definer set search_path = ${schema}, pg_temp as $$
    begin
      if left(partition, length(parent) + 2) <> parent || '_p' or substr(partition, length(parent) + 3) !~ '^[0-9]{6}([0-9]{2})?$' then
        raise exception 'not a dated partition name of %: %', parent, partition using errcode = '22023';
      end if;
      if not exists (
        select 1 from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
          join pg_class p on p.oid = i.inhparent
         where p.relname = parent and c.relname = partition
           and p.relnamespace = current_schema()::regnamespace and c.relnamespace = current_schema()::regnamespace
      ) then
        return false;
      end if;
      execute format('drop table %I', partition);
      return true;
    end $$`.execute(db)

  await sql`revoke all on function create_time_partition(text, text, timestamptz, timestamptz) from public`.execute(db)
  await sql`revoke all on function drop_time_partition(text, text) from public`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function drop_time_partition(text, text)`.execute(db)
  await sql`drop function create_time_partition(text, text, timestamptz, timestamptz)`.execute(db)
}
