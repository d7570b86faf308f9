-- Issue 11, speed: survey_feature's spatial index kept up by plain SQL
-- triggers instead of SpatiaLite's. SpatiaLite's insert trigger calls
-- RTreeAlign(), which formats an INSERT as text and parses and runs it for
-- every row, and two more triggers per row look up geometry_columns and
-- stamp geometry_columns_time: together the largest part of the writer's
-- time per survey response (bench/README.md, "Surveys").
--
-- The R*Tree stays idx_survey_feature_geom, registered in geometry_columns
-- with spatial_index_enabled = 1, so CheckSpatialIndex, RecoverSpatialIndex
-- and GDAL or QGIS opening the file see the usual SpatiaLite index; only
-- who keeps it up changes. An existing database keeps its rows: its index
-- was already complete. (CreateSpatialIndex on this column again would
-- bring SpatiaLite's triggers back beside these: don't.)
DROP TRIGGER IF EXISTS ggi_survey_feature_geom;
DROP TRIGGER IF EXISTS ggu_survey_feature_geom;
DROP TRIGGER IF EXISTS gii_survey_feature_geom;
DROP TRIGGER IF EXISTS giu_survey_feature_geom;
DROP TRIGGER IF EXISTS gid_survey_feature_geom;
DROP TRIGGER IF EXISTS tmi_survey_feature_geom;
DROP TRIGGER IF EXISTS tmu_survey_feature_geom;
DROP TRIGGER IF EXISTS tmd_survey_feature_geom;

-- The geometry constraint (SpatiaLite's ggi_/ggu_): a SpatiaLite geometry
-- in EPSG:4326. ST_SRID reads the blob's header and is NULL for anything
-- that is not a geometry.
CREATE TRIGGER survey_feature_geom_check BEFORE INSERT ON survey_feature
FOR EACH ROW WHEN NEW.geom IS NOT NULL AND ST_SRID(NEW.geom) IS NOT 4326 BEGIN
    SELECT RAISE(ABORT, 'survey_feature.geom must be a geometry in EPSG:4326');
END;
CREATE TRIGGER survey_feature_geom_check_update BEFORE UPDATE OF geom ON survey_feature
FOR EACH ROW WHEN NEW.geom IS NOT NULL AND ST_SRID(NEW.geom) IS NOT 4326 BEGIN
    SELECT RAISE(ABORT, 'survey_feature.geom must be a geometry in EPSG:4326');
END;

-- The index: the bounding box straight from the blob's header (MbrMinX
-- and the others read it without parsing the geometry). The R*Tree rounds
-- its 32-bit boxes outwards itself, as with RTreeAlign.
CREATE TRIGGER survey_feature_geom_insert AFTER INSERT ON survey_feature
FOR EACH ROW WHEN NEW.geom IS NOT NULL BEGIN
    INSERT INTO idx_survey_feature_geom (pkid, xmin, xmax, ymin, ymax)
    VALUES (NEW.id, MbrMinX(NEW.geom), MbrMaxX(NEW.geom), MbrMinY(NEW.geom), MbrMaxY(NEW.geom));
END;
CREATE TRIGGER survey_feature_geom_update AFTER UPDATE OF geom ON survey_feature
FOR EACH ROW BEGIN
    DELETE FROM idx_survey_feature_geom WHERE pkid = OLD.id;
    INSERT INTO idx_survey_feature_geom (pkid, xmin, xmax, ymin, ymax)
    SELECT NEW.id, MbrMinX(NEW.geom), MbrMaxX(NEW.geom), MbrMinY(NEW.geom), MbrMaxY(NEW.geom)
    WHERE NEW.geom IS NOT NULL;
END;
CREATE TRIGGER survey_feature_geom_delete AFTER DELETE ON survey_feature
FOR EACH ROW WHEN OLD.geom IS NOT NULL BEGIN
    DELETE FROM idx_survey_feature_geom WHERE pkid = OLD.id;
END;
